import { AppError } from '../errors.js';
import type { Graph } from '../graph/graph-client.js';
import { type ChangeEntry, type ChangeItem, toItem } from './change-contract.js';
import { decodeCursor, encodeCursor, type FeedPosition, positionAfter } from './feed-cursor.js';

/**
 * Reading the change feed (`GET /v1/changes`): entries in seq order, expanded from the relayed
 * batches, each with the cursor that resumes after it. Sequence numbers are consecutive (the relay
 * gives them from one clock, under its lock) and retention deletes only the oldest batches, so a
 * cursor whose batch is gone while later ones exist points at entries that were swept: the reader
 * says so (410) rather than skip them silently.
 */

export class CursorExpiredError extends AppError {
  constructor() {
    super(
      'the cursor points at entries older than the feed keeps (CHANGE_FEED_RETENTION_HOURS); read from the oldest with no cursor',
      410,
      'CURSOR_EXPIRED',
    );
  }
}

export class InvalidCursorError extends AppError {
  constructor() {
    super('the cursor is not one this feed gave', 400, 'INVALID_CURSOR');
  }
}

export interface ChangePage {
  items: ChangeItem[];
  /** Resumes after the last item; with no items, where the next entry will be. */
  cursor: string;
}

export type ChangeFeed = ReturnType<typeof createChangeFeed>;

export function createChangeFeed(deps: { graph: Pick<Graph, 'query'> }) {
  /** One attempt; undefined when the batches it chose were swept before it read their entries. */
  async function readOnce(
    after: FeedPosition | undefined,
    limit: number,
  ): Promise<ChangePage | undefined> {
    const from = after ?? { seq: 0, index: 0 };
    const [feed] = await deps.graph.query<{ lastSeq: number; batches: [number, number][] }>(
      'read/change-feed-sizes',
      { from: from.seq, limit },
    );
    if (!feed) throw new Error('change feed: the feed clock is missing (migration 0008)');
    const first = feed.batches[0];
    if (after && after.seq <= feed.lastSeq && first?.[0] !== after.seq)
      throw new CursorExpiredError();

    // The batches the page needs: each has at least one entry, so at most `limit` of them.
    const wanted: { seq: number; count: number; skip: number }[] = [];
    let needed = limit;
    for (const [seq, count] of feed.batches) {
      if (needed <= 0) break;
      const skip = seq === from.seq ? from.index : 0;
      if (skip >= count) continue;
      wanted.push({ seq, count, skip });
      needed -= count - skip;
    }
    const rows =
      wanted.length === 0
        ? []
        : await deps.graph.query<{ seq: number; entries: string }>('read/change-feed-entries', {
            seqs: wanted.map((w) => w.seq),
          });
    if (rows.length !== wanted.length) return undefined;

    const items: ChangeItem[] = [];
    for (const [i, row] of rows.entries()) {
      const { seq, count, skip } = wanted[i]!;
      // Written by appendChanges, which checked every entry against the contract.
      const entries = JSON.parse(row.entries) as ChangeEntry[];
      for (let index = skip; index < count && items.length < limit; index++)
        items.push(toItem(entries[index]!, encodeCursor(positionAfter(seq, index, count))));
    }
    const cursor =
      items.at(-1)?.cursor ?? encodeCursor(after ?? { seq: feed.lastSeq + 1, index: 0 });
    return { items, cursor };
  }

  return {
    /**
     * Up to `limit` entries after the `after` cursor, or from the oldest entry kept without one.
     * Throws {@link InvalidCursorError} for a cursor this feed did not give and
     * {@link CursorExpiredError} when entries after it were swept by retention.
     */
    async page(query: { after?: string | undefined; limit: number }): Promise<ChangePage> {
      let after: FeedPosition | undefined;
      if (query.after !== undefined) {
        after = decodeCursor(query.after);
        if (!after) throw new InvalidCursorError();
      }
      for (;;) {
        const page = await readOnce(after, query.limit);
        if (page) return page;
        // Swept between the two reads: a cursor is then expired; from the oldest, read again.
        if (after) throw new CursorExpiredError();
      }
    },
  };
}
