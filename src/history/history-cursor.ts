/**
 * History cursors: opaque strings naming the last item of a page by its sort key (at, rank, key),
 * so `?cursor=` resumes exactly after it, however many items were added meanwhile (later items
 * sort after it; earlier ones cannot appear, as history is appended to at the present). Clients
 * must treat cursors as opaque: the `h1` marker lets a later reader tell its encoding.
 */

/** An item's place in a history: time (epoch ms), rank within one instant, a unique key. */
export interface HistoryPosition {
  at: number;
  rank: number;
  key: string;
}

const MARKER = 'h1';
const KEY = /^[A-Za-z0-9_-]{1,128}$/;

export function encodeHistoryCursor(position: HistoryPosition): string {
  return Buffer.from(
    JSON.stringify([MARKER, position.at, position.rank, position.key]),
    'utf8',
  ).toString('base64url');
}

/** The position a cursor names, or undefined when it is not one this encoder made. */
export function decodeHistoryCursor(cursor: string): HistoryPosition | undefined {
  if (!/^[A-Za-z0-9_-]{1,512}$/.test(cursor)) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (!Array.isArray(parsed) || parsed.length !== 4 || parsed[0] !== MARKER) return undefined;
  const [, at, rank, key] = parsed as unknown[];
  if (!Number.isSafeInteger(at) || !Number.isSafeInteger(rank)) return undefined;
  if (typeof key !== 'string' || !KEY.test(key)) return undefined;
  const position = { at: at as number, rank: rank as number, key };
  // One encoding per position: anything this encoder would not have written is not ours.
  return encodeHistoryCursor(position) === cursor ? position : undefined;
}
