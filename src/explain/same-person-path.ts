import type { Graph } from '../graph/graph-client.js';
import type { PathLink, ShownIdentifier } from './explain-types.js';

/**
 * The path that makes two identifiers one person: fewest active links, then the most confident
 * (read/explain-path weighs at most {@link MAX_WEIGHED_PATHS} shortest paths).
 */

/** Shortest paths weighed at most: a dense person can have very many of one length. */
export const MAX_WEIGHED_PATHS = 1000;

interface PathRow {
  /** [key, type, value] per identifier, a first, b last. */
  identifiers: [string, string, string][];
  links: {
    id: string;
    method: string;
    rule: string;
    confidence: number;
    modelVersion?: string | null;
    events?: string[] | null;
    evidenceCount?: number | null;
    sources?: string[] | null;
    purposes?: string[] | null;
  }[];
}

/**
 * The links from `fromKey` to `toKey`, each oriented as the path walks; [] when the keys are equal,
 * undefined when no active path of at most 64 links joins them.
 */
export async function samePersonPath(
  graph: Pick<Graph, 'query'>,
  fromKey: string,
  toKey: string,
  show: (type: string, value: string) => ShownIdentifier,
): Promise<PathLink[] | undefined> {
  if (fromKey === toKey) return [];
  const [row] = await graph.query<PathRow>('read/explain-path', {
    fromKey,
    toKey,
    maxPaths: MAX_WEIGHED_PATHS,
  });
  if (!row) return undefined;
  return row.links.map((l, n) => {
    const [, fromType, fromValue] = row.identifiers[n]!;
    const [, toType, toValue] = row.identifiers[n + 1]!;
    return {
      id: l.id,
      from: show(fromType, fromValue),
      to: show(toType, toValue),
      method: l.method,
      rule: l.rule,
      confidence: l.confidence,
      modelVersion: l.modelVersion ?? null,
      evidenceEvents: l.events ?? [],
      evidenceCount: l.evidenceCount ?? 0,
      sources: l.sources ?? [],
      purposes: l.purposes ?? [],
    };
  });
}
