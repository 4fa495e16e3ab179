import type { GraphTx } from '../../graph/graph-client.js';
import { newId } from '../../ids.js';
import { type RecordMatcher, serializeRecordValues } from '../../matching/record-matcher.js';
import type { MatchRecord } from '../../matching/records/normalize-attributes.js';
import type { AttributeWarnings, MatchingOutcome } from '../batch-outcome.js';
import type { PreparedEvent } from '../prepare-events.js';
import type { PlanMatch } from '../resolution-plan.js';
import {
  type BatchRecord,
  type BlockRead,
  blockProbes,
  type CandidatePool,
  candidatePools,
  cappedCandidates,
  cutByRule,
  NO_KEYS,
} from './batch-blocks.js';
import type { CandidateCache } from './candidate-cache.js';
import { candidateKeys, readAnchors, readCandidates } from './candidate-reads.js';
import { matchLogEntry } from './match-log.js';
import { recheckBlocks } from './matching-clock.js';
import { type Candidate, type ReviewRow, type Scoring, scoreCandidates } from './record-scoring.js';
import { createRuleCounts, type RuleCounts } from './rule-counts.js';

/**
 * Probabilistic matching of a batch's records, steps 2 and 3 of a batch's transaction:
 *
 * - write/claim-records stores a record per claimed event with attributes and reads, without a
 *   lock, the committed records filed under the batch's blocking keys; each record's candidates
 *   are those plus the batch's own records sharing a key (batch-blocks.ts), read from the worker's
 *   candidate cache or the graph (candidate-reads.ts) and scored here: at or above the auto
 *   threshold a probabilistic match, in the review band a review;
 * - write/lock-matching then takes the matching clock, and the records other batches filed under
 *   the batch's keys meanwhile are scored too (matching-clock.ts).
 *
 * Candidates' anchors join the transaction's `elementIdOf` / `personOf`; their persons were read
 * without a lock, so they are returned as `unchecked` for write/lock-persons to check again.
 */

export interface RecordMatchingDeps {
  matcher: RecordMatcher;
  /** Values of candidate records this process has seen; without it every candidate is read. */
  candidateCache?: CandidateCache | undefined;
  /** Matching log entries kept (default: MATCH_LOG_KEPT). */
  matchLogKept?: number | undefined;
}

/** What matching a batch's records found, for the plan. */
export interface MatchedRecords {
  matches: PlanMatch[];
  reviews: ReviewRow[];
  /** Anchors of candidates outside the batch: their persons were read before any lock. */
  unchecked: Set<string>;
  /** Of those anchors, the ones whose identity_linking consent was denied when read. */
  denied: Set<string>;
}

/** A record of the batch, to be stored and matched. */
interface FreshRecord {
  id: string;
  event: PreparedEvent;
  record: MatchRecord;
  anchorKey: string;
  /**
   * False when the event refuses identity_linking or its anchor's identity_linking consent is
   * denied: stored without blocking keys, so it is never a candidate nor has one.
   */
  linking: boolean;
}

/** A record's candidates: [position, found, ids within the cap, block sizes as [rule, size]]. */
type ClaimedCandidates = [
  position: number,
  found: number,
  ids: string[],
  sizes: [rule: number, size: number][],
];

/**
 * Stores the records of the fresh events that carry attributes and scores them against their
 * candidates. Candidates' anchors join `elementIdOf` / `personOf` (their persons were read without
 * a lock; the plan writer checks them again under one).
 */
export async function matchRecords(
  tx: GraphTx,
  deps: RecordMatchingDeps,
  batch: {
    jobId: string;
    at: number;
    fresh: readonly PreparedEvent[];
    elementIdOf: Map<string, string>;
    personOf: Map<string, string | null>;
    matching: MatchingOutcome;
    /** Counts by attribute name of values kept as given but not clean. */
    attributeWarnings: AttributeWarnings;
  },
): Promise<MatchedRecords> {
  const { matcher } = deps;
  const matches: PlanMatch[] = [];
  const reviews: ReviewRow[] = [];
  const unchecked = new Set<string>();
  const denied = new Set<string>();
  const records: FreshRecord[] = [];
  for (const event of batch.fresh) {
    if (!event.attributes) continue;
    const record = matcher.toRecord(event.key, event.source, event.attributes);
    for (const name of matcher.attributeWarnings(event.attributes))
      batch.attributeWarnings[name] = (batch.attributeWarnings[name] ?? 0) + 1;
    // The anchor is the identifier a probabilistic link joins: the event's first, by key.
    const anchorKey = event.identifiers[0]!.key;
    if (record)
      records.push({
        id: newId('rec'),
        event,
        record,
        anchorKey,
        linking: event.linking && !event.unlinked?.includes(anchorKey),
      });
  }
  if (records.length === 0) return { matches, reviews, unchecked, denied };
  batch.matching.records = records.length;

  const slotsOf = records.map((r) => (r.linking ? matcher.keySlots(r.record) : NO_KEYS));
  const counts = createRuleCounts(
    batch.matching,
    matcher.rules.map((r) => r.name),
  );
  const { seen, pools, candidates, candidateOf } = await claimRecords(
    tx,
    deps,
    batch,
    records,
    slotsOf,
    counts,
  );
  await readCandidates(tx, deps.candidateCache, candidateOf, candidates);
  const scoring: Scoring = {
    matches,
    reviews,
    unchecked,
    denied,
    pending: new Map(),
    scoredPairs: new Set(),
    bothSides: new Set(records.map((r) => r.id)),
    elementIdOf: batch.elementIdOf,
    personOf: batch.personOf,
    matching: batch.matching,
  };
  const score = (position: number, found: number, ids: readonly string[]) => {
    const mine = records[position]!;
    scoreCandidates(
      matcher,
      {
        key: mine.event.key,
        record: mine.record,
        anchorKey: mine.anchorKey,
        source: mine.event.source,
        occurredAt: mine.event.occurredAt,
        purposes: mine.event.purposes,
      },
      found,
      ids.map((id) => candidateOf.get(id)!),
      scoring,
    );
  };
  for (const [position, found, ids] of candidates) score(position, found, ids);
  // Still without a lock: anchors read here are checked again under the persons' locks.
  await readAnchors(tx, scoring);

  // Scored without a lock; now take the clock and score what batches committed meanwhile.
  const filed = records.map((r) => ({ id: r.id, source: r.event.source }));
  const entry = matchLogEntry(filed, slotsOf);
  if (entry.records.length > 0) {
    // Every candidate the read found, scored or left beyond the cap: the log's entry `seen` may
    // name some of them again, and they are not new.
    const firstRead = new Map(
      pools.map(({ position, pool, sizes }, n) => [
        position,
        { pool, scored: candidates[n]![2].length, sizes: new Map(sizes) },
      ]),
    );
    const late = await recheckBlocks(tx, deps, {
      at: batch.at,
      filed,
      slotsOf,
      entry,
      seen,
      firstRead,
      counts,
    });
    if (late.length > 0) {
      await readCandidates(tx, deps.candidateCache, candidateOf, late);
      for (const [position, found, ids] of late) {
        // Counted here as part of the record's candidates, not as a second record's.
        const before = firstRead.get(position)!.pool.size;
        batch.matching.candidates += found;
        if (before <= matcher.maxCandidates && before + found > matcher.maxCandidates)
          batch.matching.capped += 1;
        score(position, 0, ids);
      }
      await readAnchors(tx, scoring);
    }
  }
  return { matches, reviews, unchecked, denied };
}

/**
 * write/claim-records: stores the records and reads the committed blocks under their keys, both
 * without a lock; returns the matching clock as read (`seen`), each record's candidate pool, and
 * the candidates it scores (within the cap). Blocks skipped for size and candidates cut by the cap
 * are counted by rule.
 */
async function claimRecords(
  tx: GraphTx,
  deps: RecordMatchingDeps,
  batch: { jobId: string; at: number; elementIdOf: ReadonlyMap<string, string> },
  records: readonly FreshRecord[],
  slotsOf: readonly (readonly (number | null)[])[],
  counts: RuleCounts,
): Promise<{
  seen: number;
  pools: CandidatePool[];
  candidates: ClaimedCandidates[];
  candidateOf: Map<string, Candidate>;
}> {
  const { matcher } = deps;
  const blockRecords: BatchRecord[] = records.map((r, n) => ({
    id: r.id,
    key: r.event.key,
    source: r.event.source,
    slots: slotsOf[n]!,
  }));
  const { probes, probeOf } = blockProbes(blockRecords, matcher.linkOnly);
  const settings = {
    maxBlock: matcher.maxBlockSize,
    cap: matcher.maxCandidates,
    linkOnly: matcher.linkOnly,
    separator: ' ',
  };
  const [claimed] = await tx.run<{ seen: number; blocks: BlockRead[][] }>('write/claim-records', {
    jobId: batch.jobId,
    now: batch.at,
    rows: {
      probes,
      records: records.map((r, n) => [
        r.event.key,
        r.id,
        r.event.source,
        serializeRecordValues(r.record),
        r.linking,
        r.event.purposes,
        r.anchorKey,
        r.event.identifiers.map((i) => batch.elementIdOf.get(i.key)!),
        slotsOf[n]!,
      ]),
    },
    maxBlock: settings.maxBlock,
    scanLimit: settings.maxBlock + 1,
    linkOnly: settings.linkOnly,
    separator: settings.separator,
  });
  if (!claimed) throw new Error('write/claim-records answered no row');
  const candidateOf = batchCandidates(records, deps.candidateCache);
  const pools = candidatePools(blockRecords, probeOf, claimed.blocks, settings);
  const keyOf = await candidateKeys(tx, deps.candidateCache, candidateOf, pools, settings.cap);
  const candidates = pools.map(({ position, pool, sizes }): ClaimedCandidates => {
    for (const [rule, size] of sizes) if (size > settings.maxBlock) counts.skipped(rule);
    const taken = cappedCandidates(pool, settings.cap, (id) => keyOf.get(id)!);
    counts.cut(position, cutByRule(pool, taken));
    return [position, pool.size, taken, sizes];
  });
  return { seen: claimed.seen, pools, candidates, candidateOf };
}

/** The batch's own records as candidates (with their purposes), cached for later batches. */
function batchCandidates(
  records: readonly FreshRecord[],
  cache: CandidateCache | undefined,
): Map<string, Candidate> {
  const candidateOf = new Map<string, Candidate>();
  for (const r of records) {
    candidateOf.set(r.id, {
      id: r.id,
      key: r.event.key,
      record: r.record,
      anchorKey: r.anchorKey,
      purposes: r.event.purposes,
    });
    // Cached now: if this transaction rolls back, the id is never seen again.
    cache?.set(r.id, { id: r.id, key: r.event.key, record: r.record, anchorKey: r.anchorKey });
  }
  return candidateOf;
}
