import type { Graph } from '../graph/graph-client.js';

/**
 * Reads for the `resolve_subject` step: a person's identifier keys at the time the request runs,
 * in pages (a person may hold thousands), and how many of given keys idgraph holds. Reads take no
 * lock: an identifier that joins the person while the pages are read may be missed, as it would be
 * had it arrived a moment after the request.
 */

export const SUBJECT_PAGE_SIZE = 1000;

/** The person's keys in key order; `personId` is its survivor when merged, undefined when unknown. */
export async function personKeys(
  graph: Pick<Graph, 'query'>,
  askedId: string,
  pageSize = SUBJECT_PAGE_SIZE,
): Promise<{ personId: string | undefined; keys: string[] }> {
  const keys: string[] = [];
  let personId: string | undefined;
  for (let after = ''; ;) {
    const [row] = await graph.query<{ personId: string | null; keys: string[] }>(
      'read/privacy-person-keys',
      { personId: askedId, after, limit: pageSize },
    );
    personId = row?.personId ?? undefined;
    const page = row?.keys ?? [];
    keys.push(...page);
    if (personId === undefined || page.length < pageSize) return { personId, keys };
    after = page.at(-1)!;
  }
}

/** How many of `keys` are identifiers in the graph. */
export async function countKnownKeys(
  graph: Pick<Graph, 'query'>,
  keys: readonly string[],
  pageSize = SUBJECT_PAGE_SIZE,
): Promise<number> {
  let known = 0;
  for (let i = 0; i < keys.length; i += pageSize) {
    const [row] = await graph.query<{ known: number }>('read/privacy-known-keys', {
      keys: keys.slice(i, i + pageSize),
    });
    known += row?.known ?? 0;
  }
  return known;
}
