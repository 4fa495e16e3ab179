import type { Graph } from '../graph/graph-client.js';
import { parseRecordValues, type RecordMatcher } from '../matching/record-matcher.js';
import type { PairScore } from '../matching/scoring/fellegi-sunter.js';
import type { BestPair } from './explain-types.js';

/**
 * The best record pair between two persons, scored now with the active matcher: every record of
 * a's person against every record of b's (the newest {@link MAX_RECORDS_PER_PERSON} of each), the
 * highest match weight wins. Scored in this process, as a batch scores its candidates, so the
 * explanation is the model's own (per comparison the level, m, u and weight); blocking plays no
 * part: a pair the resolver never compared (its blocking keys differ) is scored too, which is what
 * tells "not similar enough" from "never compared". Attribute values stay in this function.
 */

export const MAX_RECORDS_PER_PERSON = 50;

type RecordRow = [string, string, string];

export async function bestRecordPair(
  graph: Pick<Graph, 'query'>,
  matcher: RecordMatcher,
  personIds: [string, string],
): Promise<BestPair | undefined> {
  const rows = await graph.query<{ n: number; records: RecordRow[] }>('read/explain-records', {
    personIds,
    maxRecords: MAX_RECORDS_PER_PERSON,
  });
  const sides = [0, 1].map((n) =>
    (rows.find((r) => r.n === n)?.records ?? []).map(([id, source, values]) =>
      parseRecordValues(id, source, values),
    ),
  );
  let best: { score: PairScore; ids: [string, string] } | undefined;
  let pairsScored = 0;
  for (const left of sides[0]!) {
    for (const right of sides[1]!) {
      // A model in link mode never compares two records of one source.
      if (matcher.linkOnly && left.source === right.source) continue;
      const score = matcher.score(left, right);
      pairsScored += 1;
      if (!best || score.matchWeight > best.score.matchWeight)
        best = { score, ids: [left.id, right.id] };
    }
  }
  if (!best) return undefined;
  const { score } = best;
  const verdict = matcher.decide(
    score.probability,
    score.vector.map((c) => c.level),
  );
  return {
    recordIds: best.ids,
    modelVersion: score.modelVersion,
    probability: score.probability,
    matchWeight: score.matchWeight,
    priorWeight: score.priorWeight,
    comparisons: [...score.vector],
    decision: verdict.decision,
    ...(verdict.held === undefined ? {} : { held: verdict.held }),
    autoThreshold: matcher.autoThreshold,
    reviewThreshold: matcher.reviewThreshold,
    pairsScored,
  };
}
