import type { Graph, GraphTx } from '../../graph/graph-client.js';
import type { MatcherSource } from '../../matching/model/matcher-source.js';
import { parseRecordValues, type RecordMatcher } from '../../matching/record-matcher.js';
import type { MatchRecord } from '../../matching/records/normalize-attributes.js';
import { emptyMatching, type MatchingOutcome } from '../batch-outcome.js';
import type { PlanWriter } from '../plan-writer.js';
import { type BatchRecord, cappedCandidates, NO_KEYS } from '../record-matching/batch-blocks.js';
import type { CandidateCache } from '../record-matching/candidate-cache.js';
import { candidateKeys, readCandidates } from '../record-matching/candidate-reads.js';
import { matchLogEntry } from '../record-matching/match-log.js';
import { lockMatching } from '../record-matching/matching-clock.js';
import {
  type AnchorRow,
  type Candidate,
  completePending,
  type Scoring,
  scoreCandidates,
} from '../record-matching/record-scoring.js';
import type { ResolutionPlan } from '../resolution-plan.js';
import { StaleResolutionError, withStaleRetries } from '../transaction-retry.js';
import { pageCandidatePools } from './page-candidates.js';
import { rescoringMatcher } from './rescore-link.js';

/**
 * Re-scoring stored records with the current model, a page at a time, in two steps:
 *
 * 1. {@link fileRecordsPage} (pages one after another, in id order): the records whose blocking
 *    keys the current rules change are filed again, in a short transaction that takes the matching
 *    clock and logs their new keys, so that batches scoring concurrently find them
 *    (write/lock-matching describes the protocol). Most pages change no key and write nothing.
 * 2. {@link rescoreRecordsPage} (several pages at once, each once every earlier page is filed): a
 *    transaction reads the page's blocks (ids only), takes each record's candidates of smaller id,
 *    their values from the candidate cache or the graph, and scores the pairs as ingestion does;
 *    only the pairs to act on have their anchors' persons read, and those already in one person are
 *    dropped; the rest are joined or queued through the same plan writer, under the persons' locks.
 *
 * A pair is scored by the record with the larger id, which reads its blocks after the other was
 * filed under the current rules. Records ingested meanwhile are scored by their own batch against
 * everything committed (or logged by step 1), and again by the rescore when its walk reaches them.
 */

/** A row of read/rescore-records-page: a stored record and the keys it is filed under. */
export interface RecordsPageRow {
  id: string;
  key: string;
  source: string;
  values: string;
  linking: boolean;
  purposes: string[];
  anchorKey: string;
  /** Blocking keys by rule slot as stored (null where the record has none). */
  blocks: (number | null)[];
}

/** A page ready to be scored: its records parsed, and filed under the current rules. */
export interface FiledPage {
  rows: readonly RecordsPageRow[];
  records: readonly MatchRecord[];
  slotsOf: readonly (readonly (number | null)[])[];
  /** Records filed again because their keys changed. */
  refiled: number;
}

export interface RecordRescoringDeps {
  graph: Pick<Graph, 'writeTransaction'>;
  matchers?: Pick<MatcherSource, 'current'> | undefined;
  /** Values of records this process has seen; without it every candidate is read. */
  candidateCache?: CandidateCache | undefined;
  matchLogKept?: number | undefined;
  planWriter: Pick<PlanWriter, 'lockAndPlan'>;
  now: () => number;
}

const sameKeys = (stored: readonly (number | null)[], current: readonly (number | null)[]) =>
  current.every((key, rule) => (stored[rule] ?? null) === key);

/**
 * Parses a page and files again, under the current blocking rules, the records whose keys changed.
 * The page's records go into the candidate cache: later pages score against them.
 */
export async function fileRecordsPage(
  deps: RecordRescoringDeps,
  rows: readonly RecordsPageRow[],
): Promise<FiledPage> {
  const matcher = rescoringMatcher(deps);
  const records = rows.map((r) => parseRecordValues(r.key, r.source, r.values));
  const slotsOf = records.map((record, n) =>
    rows[n]!.linking ? matcher.keySlots(record) : NO_KEYS,
  );
  const changed: number[] = [];
  rows.forEach((row, n) => {
    if (!sameKeys(row.blocks, slotsOf[n]!)) changed.push(n);
    if (row.linking)
      deps.candidateCache?.set(row.id, {
        id: row.id,
        key: row.key,
        record: records[n]!,
        anchorKey: row.anchorKey,
      });
  });
  if (changed.length > 0) {
    await withStaleRetries(deps.graph, 'refile-records', async (tx) => {
      const entry = matchLogEntry(
        changed.map((n) => rows[n]!),
        changed.map((n) => slotsOf[n]!),
      );
      // Records that only leave blocks announce nothing: no batch can miss them.
      if (entry.records.length > 0) await lockMatching(tx, deps, deps.now(), entry, null);
      await tx.run('write/refile-records', {
        rows: { records: changed.map((n) => [rows[n]!.id, slotsOf[n]]) },
      });
    });
  }
  return { rows, records, slotsOf, refiled: changed.length };
}

/**
 * Re-scores a filed page with the current model (`idgraph model rescore`): pairs the model now
 * links are joined, pairs in the review band queued, as ingestion would.
 */
export async function rescoreRecordsPage(
  deps: RecordRescoringDeps,
  page: FiledPage,
): Promise<{ matching: MatchingOutcome; merges: number; refusals: number }> {
  const matcher = rescoringMatcher(deps);
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

async function rescorePageInTx(
  tx: GraphTx,
  deps: RecordRescoringDeps,
  matcher: RecordMatcher,
  page: FiledPage,
  matching: MatchingOutcome,
): Promise<ResolutionPlan | undefined> {
  const at = deps.now();
  const cap = matcher.maxCandidates;
  const blockRecords: BatchRecord[] = page.rows.map((r, n) => ({
    id: r.id,
    key: r.key,
    source: r.source,
    slots: page.slotsOf[n]!,
  }));
  const pools = await pageCandidatePools(tx, matcher, blockRecords);
  // The page's own records are candidates of its later ones.
  const candidateOf = new Map<string, Candidate>(
    page.rows.map((r, n) => [
      r.id,
      { id: r.id, key: r.key, record: page.records[n]!, anchorKey: r.anchorKey },
    ]),
  );
  const keyOf = await candidateKeys(tx, deps.candidateCache, candidateOf, pools, cap);
  const found = pools.map(
    ({ position, pool }) =>
      [position, pool.size, cappedCandidates(pool, cap, (id) => keyOf.get(id)!)] as const,
  );
  await readCandidates(tx, deps.candidateCache, candidateOf, found);
  const scoring: Scoring = {
    matches: [],
    reviews: [],
    unchecked: new Set(),
    denied: new Set(),
    pending: new Map(),
    scoredPairs: new Set(),
    // Each pair comes once, from the record with the larger id.
    bothSides: new Set(),
    elementIdOf: new Map(),
    personOf: new Map(),
    matching,
  };
  for (const [position, count, ids] of found) {
    const row = page.rows[position]!;
    matching.records += 1;
    scoreCandidates(
      matcher,
      {
        key: row.key,
        record: page.records[position]!,
        anchorKey: row.anchorKey,
        source: row.source,
        occurredAt: at,
        purposes: row.purposes,
      },
      count,
      ids.map((id) => candidateOf.get(id)!),
      scoring,
    );
  }
  if (scoring.matches.length === 0 && scoring.reviews.length === 0) return undefined;
  const { matches, reviews } = await dropSamePerson(tx, scoring, candidateOf);
  if (matches.length === 0 && reviews.length === 0) return undefined;
  const plan = await deps.planWriter.lockAndPlan(tx, {
    jobId: `rescore/${matcher.model.version}`,
    at,
    events: [],
    matches,
    reviews,
    elementIdOf: scoring.elementIdOf,
    personOf: scoring.personOf,
    unchecked: scoring.unchecked,
    model: matcher.model,
    denied: scoring.denied,
  });
  // Matches with an anchor denied identity_linking (checked under the locks) were not linked.
  matching.consentDenied = matches.filter(
    (m) => scoring.denied.has(m.fromKey) || scoring.denied.has(m.toKey),
  ).length;
  return plan;
}

/**
 * Reads, without a lock, the anchors, persons and purposes of both records of every pair to act
 * on (read/candidate-anchors), and drops the pairs whose anchors are already in one person: they
 * need nothing, and are not counted as linked or queued. The anchors are `unchecked`: the plan
 * writer reads their persons again under the locks.
 */
async function dropSamePerson(
  tx: GraphTx,
  s: Scoring,
  candidateOf: ReadonlyMap<string, Candidate>,
): Promise<Pick<Scoring, 'matches' | 'reviews'>> {
  const byKey = new Map<string, Candidate>();
  for (const candidate of candidateOf.values()) byKey.set(candidate.key, candidate);
  const ids = new Set<string>();
  const pairs = [
    ...s.matches.map((m) => m.records!),
    ...s.reviews.map((r) => [r[2], r[3]] as const),
  ];
  for (const pair of pairs) for (const key of pair) ids.add(byKey.get(key)!.id);
  const rows = await tx.run<AnchorRow>('read/candidate-anchors', { ids: [...ids].sort() });
  if (rows.length !== ids.size) throw new StaleResolutionError();
  completePending(s, rows);
  s.pending.clear();
  const apart = (a: string, b: string) => s.personOf.get(a) !== s.personOf.get(b);
  const matches = s.matches.filter((m) => apart(m.fromKey, m.toKey));
  const reviews = s.reviews.filter((r) =>
    apart(byKey.get(r[2])!.anchorKey, byKey.get(r[3])!.anchorKey),
  );
  s.matching.matched -= s.matches.length - matches.length;
  s.matching.reviews -= s.reviews.length - reviews.length;
  return { matches, reviews };
}
