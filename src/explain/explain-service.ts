import { InvalidIdentifierError } from '../errors.js';
import type { Graph } from '../graph/graph-client.js';
import type { MatcherSource } from '../matching/model/matcher-source.js';
import type { IdentifierHasher } from '../privacy/identifier-hash.js';
import type { IdentifierRegistry } from '../resolver/identifier-types.js';
import { bestRecordPair } from './best-record-pair.js';
import type { Explanation, ShownIdentifier } from './explain-types.js';
import { samePersonPath } from './same-person-path.js';
import { apartReasons, type BetweenRow, type SideRow, unknownReasons } from './why-not.js';

/**
 * "Why are these two identifiers one person, or why not?" for data teams (POST /v1/explain).
 * Values are normalised exactly as ingestion does, so the answer is about the nodes ingestion
 * wrote. Reads only, without locks: the answer describes the graph as one moment of reading saw it
 * (a batch committing in between may be seen by one read and not the next).
 */

export interface ExplainRequest {
  a: { type: string; value: string };
  b: { type: string; value: string };
  /** Whether identifier values may be shown (the caller also holds `persons:read`). */
  showValues: boolean;
}

export type ExplainService = ReturnType<typeof createExplainService>;

export function createExplainService(deps: {
  graph: Pick<Graph, 'query'>;
  registry: Pick<IdentifierRegistry, 'normalize'>;
  hasher: IdentifierHasher;
  matchers: MatcherSource;
}) {
  const { graph } = deps;

  function keyOf(side: 'a' | 'b', item: { type: string; value: string }): string {
    const n = deps.registry.normalize(item.type, item.value);
    if (!n.ok) throw new InvalidIdentifierError(side, n.reason);
    return n.key;
  }

  return {
    async explain(request: ExplainRequest): Promise<Explanation> {
      const keys = [keyOf('a', request.a), keyOf('b', request.b)];
      const show = (type: string, value: string): ShownIdentifier =>
        request.showValues ? { type, value } : { type };
      const sides = await graph.query<SideRow & { n: number }>('read/explain-sides', {
        keys,
        hashes: keys.map(deps.hasher),
      });
      const [a, b] = [sides[0]!, sides[1]!];
      if (!a.known || !b.known)
        return {
          samePerson: false,
          persons: [a.personId, b.personId],
          reasons: unknownReasons([a, b], show),
        };
      const personA = a.personId!;
      const personB = b.personId!;
      if (personA === personB) {
        const path = await samePersonPath(graph, keys[0]!, keys[1]!, show);
        return { samePerson: true, personId: personA, path: path ?? null };
      }
      // Independent reads: one round trip's wait instead of two.
      const [[between], best] = await Promise.all([
        graph.query<BetweenRow>('read/explain-between', {
          personA,
          personB,
          aliasesA: [personA, ...a.mergedIds],
          aliasesB: [personB, ...b.mergedIds],
        }),
        bestRecordPair(graph, deps.matchers.current(), [personA, personB]),
      ]);
      return {
        samePerson: false,
        persons: [personA, personB],
        reasons: apartReasons(
          [a, b],
          between ?? { links: [], constraints: [], reviews: [], audits: [] },
          best,
          show,
        ),
      };
    },
  };
}
