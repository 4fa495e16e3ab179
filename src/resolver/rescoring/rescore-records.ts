import type { Graph, GraphTx } from '../../graph/graph-client.js';
import { parseRecordValues, type RecordMatcher } from '../../matching/record-matcher.js';
import { emptyMatching, type MatchingOutcome } from '../batch-outcome.js';
import type { PlanWriter } from '../plan-writer.js';
import { NO_KEYS } from '../record-matching/batch-blocks.js';
import { readAnchors } from '../record-matching/candidate-reads.js';
import { matchLogEntry } from '../record-matching/match-log.js';
import { lockMatching } from '../record-matching/matching-clock.js';
import { type Scoring, scoreCandidates } from '../record-matching/record-scoring.js';
import type { ResolutionPlan } from '../resolution-plan.js';
import { withStaleRetries } from '../transaction-retry.js';

/**
 * Re-scoring stored records with the current model, a page per transaction: write/refile-records
 * files them under the current blocking rules and reads their earlier candidates, with persons and
 * purposes; pairs are scored as ingestion scores them, and the pairs whose anchors are in different
 * persons are joined or queued through the same plan writer.
 */

/** A row of read/records-page: a stored record. */
export interface RecordsPageRow {
  id: string;
  key: string;
  source: string;
  values: string;
  linking: boolean;
}

/** A row of write/refile-records' candidates. */
type RefiledCandidate = [
  id: string,
  key: string,
  source: string,
  values: string,
  purposes: string[],
  anchorKey: string,
  personId: string | null,
];

export interface RecordRescoringDeps {
  graph: Pick<Graph, 'writeTransaction'>;
  matcher?: RecordMatcher | undefined;
  matchLogKept?: number | undefined;
  planWriter: Pick<PlanWriter, 'lockAndPlan'>;
  now: () => number;
}

/**
 * Re-scores a page of stored records with the current model (`idgraph model rescore`): pairs
 * the model now links are joined, pairs in the review band queued, as ingestion would.
 */
export async function rescoreRecords(
  deps: RecordRescoringDeps,
  page: readonly RecordsPageRow[],
): Promise<{ matching: MatchingOutcome; merges: number; refusals: number }> {
  const { matcher } = deps;
  if (!matcher) throw new Error('resolver: rescoring needs a matcher');
  let matching = emptyMatching();
  const plan = await withStaleRetries(deps.graph, 'rescore-records', (tx) => {
    matching = emptyMatching();
    return rescorePageInTx(tx, deps, matcher, page, matching);
  });
  return {
    matching,
    merges: plan?.merges.length ?? 0,
    refusals: plan?.refusals.length ?? 0,
  };
}

/**
 * Re-scores a page of stored records with the current model inside one transaction: re-files
 * them under the current blocking rules, scores each against its earlier candidates, and joins
 * or queues pairs whose anchors are in different persons exactly as ingestion would.
 */
async function rescorePageInTx(
  tx: GraphTx,
  deps: RecordRescoringDeps,
  matcher: RecordMatcher,
  page: readonly RecordsPageRow[],
  matching: MatchingOutcome,
): Promise<ResolutionPlan | undefined> {
  const at = deps.now();
  const records = page.map((r) => parseRecordValues(r.key, r.source, r.values));
  const slotsOf = records.map((record, n) =>
    page[n]!.linking ? matcher.keySlots(record) : NO_KEYS,
  );
  // Locked before anything is read: a page files records under keys, as a batch does.
  const entry = matchLogEntry(page, slotsOf);
  if (entry.records.length > 0) await lockMatching(tx, deps, at, entry, null);
  const [answer] = await tx.run<{
    candidates: [
      number,
      number,
      RefiledCandidate[],
      string,
      string,
      string[],
      string,
      string,
      string | null,
    ][];
  }>('write/refile-records', {
    rows: {
      records: page.map((r, n) => [r.key, slotsOf[n]]),
    },
    maxBlock: matcher.maxBlockSize,
    scanLimit: matcher.maxBlockSize + 1,
    cap: matcher.maxCandidates,
    linkOnly: matcher.linkOnly,
  });
  if (!answer) throw new Error('write/refile-records answered no row');
  const scoring: Scoring = {
    matches: [],
    reviews: [],
    unchecked: new Set(),
    pending: new Map(),
    scoredPairs: new Set(),
    elementIdOf: new Map(),
    personOf: new Map(),
    matching,
    skipSamePerson: true,
  };
  const known = new Map(records.map((r) => [r.id, r]));
  for (const row of answer.candidates) {
    const [position, found, candidates, , , purposes, anchorKey, anchorElementId, personId] = row;
    matching.records += 1;
    if (personId === null) throw new Error('resolver: a committed identifier has no person');
    if (!scoring.elementIdOf.has(anchorKey)) {
      scoring.elementIdOf.set(anchorKey, anchorElementId);
      scoring.personOf.set(anchorKey, personId);
      scoring.unchecked.add(anchorKey);
    }
    const record = records[position]!;
    scoreCandidates(
      matcher,
      {
        key: record.id,
        record,
        anchorKey,
        source: record.source,
        occurredAt: at,
        purposes,
      },
      found,
      candidates.map(([id, key, source, values, cPurposes, cAnchor, cPerson]) => ({
        id,
        key,
        record: known.get(key) ?? parseRecordValues(key, source, values),
        anchorKey: cAnchor,
        purposes: cPurposes,
        personId: cPerson,
      })),
      scoring,
    );
  }
  if (scoring.matches.length === 0 && scoring.reviews.length === 0) return undefined;
  await readAnchors(tx, scoring);
  return deps.planWriter.lockAndPlan(tx, {
    jobId: `rescore/${matcher.model.version}`,
    at,
    events: [],
    matches: scoring.matches,
    reviews: scoring.reviews,
    elementIdOf: scoring.elementIdOf,
    personOf: scoring.personOf,
    unchecked: scoring.unchecked,
  });
}
