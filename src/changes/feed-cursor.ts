/**
 * Feed cursors: opaque strings naming a position in the change feed, the entry to resume from: the
 * `index`-th entry of the batch with sequence number `seq`. An entry's cursor names the entry after
 * it, so `?after=<cursor>` resumes exactly there and a client that stores the last cursor it
 * processed gets every later entry once. Clients must treat cursors as opaque: the encoding may
 * change (the `v1` marker lets a later reader tell).
 */

export interface FeedPosition {
  /** Sequence number of a batch (1, 2, ...: consecutive, given by the relay). */
  seq: number;
  /** Index of an entry within that batch. */
  index: number;
}

const PREFIX = 'v1.';
const canonical = /^v1\.(0|[1-9]\d{0,14})\.(0|[1-9]\d{0,8})$/;

export function encodeCursor(position: FeedPosition): string {
  return Buffer.from(`${PREFIX}${position.seq}.${position.index}`, 'utf8').toString('base64url');
}

/** The position a cursor names, or undefined when it is not one this encoder made. */
export function decodeCursor(cursor: string): FeedPosition | undefined {
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(cursor)) return undefined;
  const match = canonical.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!match) return undefined;
  const position = { seq: Number(match[1]), index: Number(match[2]) };
  // One encoding per position: a cursor with trailing bits or padding variants is not ours.
  return encodeCursor(position) === cursor ? position : undefined;
}

/** The position after the entry at `index` of a batch of `count` entries with this `seq`. */
export function positionAfter(seq: number, index: number, count: number): FeedPosition {
  return index + 1 < count ? { seq, index: index + 1 } : { seq: seq + 1, index: 0 };
}
