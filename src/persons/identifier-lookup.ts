import type { Graph } from '../graph/graph-client.js';

/**
 * Which person holds each identifier key, the hot path of downstream lookups: one query for many
 * keys, and concurrent callers coalesced into one query.
 */

/** The active person of each identifier key (null: unknown identifier), in one query. */
export async function personsByKey(
  graph: Pick<Graph, 'query'>,
  keys: readonly string[],
  bookmarks?: string[],
): Promise<Map<string, string | null>> {
  if (keys.length === 0) return new Map();
  const rows = await graph.query<{ key: string; personId: string | null }>(
    'read/resolve-identifiers',
    { keys },
    bookmarks ? { bookmarks } : {},
  );
  return new Map(rows.map((r) => [r.key, r.personId]));
}

/** Keys of one coalesced `read/resolve-identifiers` query at most; a request this large runs alone. */
export const COALESCE_MAX_KEYS = 1000;

/**
 * The person of each identifier key, for concurrent callers in one query: keys asked for in the same
 * event-loop turn (every request whose handler reached this point before the turn's I/O phase ended)
 * are looked up together when the turn ends, up to {@link COALESCE_MAX_KEYS} keys a query.
 *
 * Why: a single lookup is one index seek and one hop in Neo4j, and the fixed cost of a query (a
 * session, a transaction, the Bolt round trip, packing and unpacking) dwarfs it. Under load, 50
 * concurrent single lookups become a handful of queries. An idle
 * service still answers a lone request after one turn of the loop.
 *
 * A failed query fails every caller whose keys it carried, with the same error.
 */
export function createCoalescingLookup(graph: Pick<Graph, 'query'>) {
  type Persons = Map<string, string | null>;
  interface Batch {
    keys: Set<string>;
    waiters: { resolve: (persons: Persons) => void; reject: (error: unknown) => void }[];
  }
  let open: Batch | undefined;

  const query = (keys: readonly string[]) => personsByKey(graph, keys);

  function flush(batch: Batch): void {
    if (open === batch) open = undefined;
    query([...batch.keys]).then(
      (persons) => batch.waiters.forEach((w) => w.resolve(persons)),
      (error: unknown) => batch.waiters.forEach((w) => w.reject(error)),
    );
  }

  return (keys: readonly string[]): Promise<Persons> => {
    if (keys.length === 0 || keys.length >= COALESCE_MAX_KEYS) return query(keys);
    if (open && open.keys.size + keys.length > COALESCE_MAX_KEYS) flush(open);
    if (!open) {
      const batch: Batch = { keys: new Set(), waiters: [] };
      open = batch;
      setImmediate(() => open === batch && flush(batch));
    }
    const batch = open;
    for (const key of keys) batch.keys.add(key);
    return new Promise((resolve, reject) => batch.waiters.push({ resolve, reject }));
  };
}
