import { PersonNotFoundError, ValidationError } from '../errors.js';
import type { Graph } from '../graph/graph-client.js';
import { decodeHistoryCursor, encodeHistoryCursor } from './history-cursor.js';
import { type HistoryItem, historyItem, type HistoryRow, positionOf } from './history-items.js';
import { personAt, type PersonAtView } from './person-at.js';

export type { HistoryItem } from './history-items.js';
export type { PersonAtView } from './person-at.js';

/**
 * A person's history for data teams: every change that shaped it, oldest first, in pages (ids,
 * rules and identifier types only), and the person as it was at a given time (identifier values:
 * personal data).
 */

export interface HistoryPage {
  personId: string;
  requestedId: string;
  items: HistoryItem[];
  /** Cursor of the page after this one; null when this page is the last. */
  next: string | null;
}

export type HistoryService = ReturnType<typeof createHistoryService>;

export function createHistoryService(deps: { graph: Pick<Graph, 'query'> }) {
  const { graph } = deps;
  return {
    /**
     * One page of a person's history, after `cursor`. A merged id answers with its survivor's
     * history, which holds the merged person's own history before its merge.
     */
    async page(
      requestedId: string,
      options: { cursor?: string | undefined; limit: number },
    ): Promise<HistoryPage> {
      const after = options.cursor === undefined ? null : decodeHistoryCursor(options.cursor);
      if (after === undefined)
        throw new ValidationError('the cursor is not one this API gave', [
          { path: '$.querystring.cursor', message: 'unknown cursor' },
        ]);
      // One more than asked: whether a next page exists, without an empty last page.
      const [row] = await graph.query<{
        personId: string;
        requestedId: string;
        items: HistoryRow[];
      }>('read/person-history-page', { personId: requestedId, after, limit: options.limit + 1 });
      if (!row) throw new PersonNotFoundError();
      const rows = row.items.slice(0, options.limit);
      const last = rows.at(-1);
      return {
        personId: row.personId,
        requestedId: row.requestedId,
        items: rows.map(historyItem),
        next:
          row.items.length > options.limit && last ? encodeHistoryCursor(positionOf(last)) : null,
      };
    },

    /** The person as it was at `at` (see person-at.ts). */
    at: (requestedId: string, at: Date): Promise<PersonAtView> => personAt(graph, requestedId, at),
  };
}
