import { randomInt, randomUUID } from 'node:crypto';
import type { Graph, GraphTx } from '../graph/graph-client.js';
import { newId } from '../ids.js';
import { MAX_BLOCKING_RULES } from '../matching/records/blocking.js';
import { modelTemplate, storedExplanation } from '../matching/scoring/explanation.js';
import type { FellegiSunterModel } from '../matching/scoring/fellegi-sunter.js';
import type { Logger } from '../logger.js';
import {
  parseRecordValues,
  type RecordMatcher,
  serializeRecordValues,
} from '../matching/record-matcher.js';
import type { MatchRecord } from '../matching/records/normalize-attributes.js';
import type { IdentityEvent } from '../events/event-schema.js';
import { splitIfDisconnected } from './person-split.js';
import type { CandidateCache } from './candidate-cache.js';
import {
  type BatchRecord,
  type BlockRead,
  blockProbes,
  type CandidatePool,
  candidatePools,
  cappedCandidates,
} from './batch-blocks.js';
import {
  lateBlocks,
  MATCH_LOG_KEPT,
  type MatchLogEntry,
  type MatchLogRow,
  matchLogEntry,
} from './match-log.js';
import {
  type AnchorRow,
  type Candidate,
  completePending,
  emptyMatching,
  type MatchingOutcome,
  type ReviewRow,
  type Scoring,
  scoreCandidates,
} from './record-scoring.js';
import type { IdentifierRegistry } from './identifier-types.js';
import { type PreparedEvent, type Rejection, prepareEvents } from './prepare-events.js';
import {
  type PlanMatch,
  type PlanPerson,
  type ResolutionPlan,
  planResolution,
} from './resolution-plan.js';

/**
 * Resolves a batch of identity events into the graph in one write transaction:
 *
 * 1. `write/claim-batch`: claim the events in the event log (duplicates stop here), create and lock
 *    the identifiers of the claimed events in key order, read their persons, record provenance;
 * 2. `write/claim-records` (when claimed events carry attributes and matching is on): read the
 *    matching clock and the committed blocks under the batch's keys, store the source records,
 *    without a lock; each record's candidates are those blocks plus the batch's own records
 *    (batch-blocks.ts); score the pairs here: at or above the auto threshold a probabilistic
 *    match, in the review band a review;
 * 3. `write/lock-matching`: take the matching clock and log the batch's keys; the log entries of
 *    batches committed since the clock was read name the records they filed under this batch's
 *    keys, and those new pairs are scored (the protocol, and why every pair is scored exactly once,
 *    is in lock-matching.cypher);
 * 4. `write/lock-persons` (when evidence may join persons): lock those persons in id order and read
 *    their limit counts and no-match constraints;
 * 5. plan links, merges and refusals ({@link planResolution}, pure);
 * 6. `write/apply-plan`: write persons, memberships, merges, links, reviews and audit records.
 *
 * Every decision reads its inputs under a lock, or checks them again under one (candidates by the
 * matching log, candidates' persons in lock-persons), so concurrent batches serialise only
 * where they overlap and the graph comes out as one worker would make it. Locks are taken in one
 * order (identifiers, matching clock, persons); Neo4j breaks the remaining deadlocks between batches by
 * failing one, and the driver then retries the whole transaction function, which is safe because
 * every attempt starts from the claim and writes nothing outside the transaction. Statements after
 * the first address nodes by the element ids the first returned: they are stable while this
 * transaction holds the nodes' locks.
 */

export const defaultMergeLimits: Readonly<Record<string, number>> = { user_id: 1, crm_id: 1 };

export type EventOutcome =
  | { eventId: string; source: string; status: 'applied'; personIds: string[] }
  | { eventId: string; source: string; status: 'duplicate' };

export interface BatchOutcome {
  applied: number;
  duplicates: number;
  /** Events rejected whole (no usable identifier). */
  rejectedEvents: number;
  /** Every dropped value and rejected event, with its reason. */
  rejected: Rejection[];
  events: EventOutcome[];
  merges: number;
  refusals: number;
  matching: MatchingOutcome;
}

export interface ResolverDeps {
  graph: Pick<Graph, 'writeTransaction'>;
  registry: Pick<IdentifierRegistry, 'normalize'>;
  limits: Readonly<Record<string, number>>;
  evidenceKept: number;
  /** Probabilistic matching of event attributes; without it records are not stored. */
  matcher?: RecordMatcher;
  /** Values of candidate records this process has seen; without it every candidate is read. */
  candidateCache?: CandidateCache;
  /** Matching log entries kept (default {@link MATCH_LOG_KEPT}); tests shorten it. */
  matchLogKept?: number;
  logger: Logger;
  now?: () => number;
}

/** The state read under lock contradicts itself: another batch moved a person. Retried. */
export class StaleResolutionError extends Error {
  constructor() {
    super('graph state changed under the resolver; retrying');
    this.name = 'StaleResolutionError';
  }
}

const MAX_STALE_RETRIES = 10;

/**
 * Runs a write transaction, and runs it again when it finds the graph moved under it
 * ({@link StaleResolutionError}). The driver itself re-runs it after deadlocks and other transient
 * errors. Every resolver transaction (batches, rescoring, review decisions) goes through here.
 */
export async function withStaleRetries<T>(
  graph: Pick<Graph, 'writeTransaction'>,
  name: string,
  work: (tx: GraphTx) => Promise<T>,
  onStale?: (attempt: number) => void,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await graph.writeTransaction(name, work);
    } catch (error) {
      if (!(error instanceof StaleResolutionError) || attempt >= MAX_STALE_RETRIES) throw error;
      onStale?.(attempt);
    }
  }
}
export const MANUAL_RULE = 'review_decision';
/** A record that must never be a candidate (its event refuses identity_linking): no keys. */
const NO_KEYS: readonly null[] = new Array<null>(MAX_BLOCKING_RULES).fill(null);
const METHOD_RANK = { probabilistic: 0, deterministic: 1, manual: 2 };

/** A model's template as the statements that store explanations record it ($model). */
function modelParameter(model: FellegiSunterModel) {
  const { json, checksum } = modelTemplate(model);
  return { version: model.version, checksum, template: json };
}

/** What write/claim-batch answers: per event (in batch order) and per locked identifier. */
interface ClaimedBatch {
  claimed: boolean[];
  sameJob: boolean[];
  /** [position in the identifiers sent, element id, current person id or null when created now] */
  identifiers: [number, string, string | null][];
}

/*
 * Rows of the batch-sized lists travel as positional tuples, not maps: a map repeats every field
 * name in every row, which made up about a third of the bytes the driver packed (see
 * docs/benchmarks.md). The Cypher names each position in its first WITH.
 */
type EventRow = [
  key: string,
  source: string,
  eventId: string,
  occurredAt: number,
  linking: boolean,
  purposes: readonly string[],
  payload: string,
];
type IdentifierRow = [key: string, type: string, value: string, lastSeen: number, events: number[]];
type LinkRow = [
  from: string,
  to: string,
  id: string,
  status: string,
  firstSeen: number,
  lastSeen: number,
  sources: readonly string[],
  purposes: readonly string[],
  eventKeys: readonly string[],
  confidence: number,
  method: string,
  rule: string,
  modelVersion: string | null,
  explanation: string | null,
  records: readonly string[] | null,
];

interface FreshRecord {
  id: string;
  event: PreparedEvent;
  record: MatchRecord;
  anchorKey: string;
}

/** A row of read/candidate-records. */
interface StoredCandidate {
  id: string;
  key: string;
  source: string;
  values: string;
  anchorKey: string;
}

/** A row of read/records-page: a stored record. */
export interface RecordsPageRow {
  id: string;
  key: string;
  source: string;
  values: string;
  linking: boolean;
}

/** A record's candidates: [position, found, ids within the cap, block sizes as [rule, size]]. */
type ClaimedCandidates = [
  position: number,
  found: number,
  ids: string[],
  sizes: [rule: number, size: number][],
];

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

export type ResolverService = ReturnType<typeof createResolverService>;

export function createResolverService(deps: ResolverDeps) {
  const now = deps.now ?? Date.now;
  const limitedTypes = Object.keys(deps.limits);

  /**
   * The batch's identifiers, each with the positions of the events carrying it and their latest
   * occurredAt, sorted by key: the order the transaction locks them in.
   */
  function batchIdentifiers(prepared: readonly PreparedEvent[]): IdentifierRow[] {
    const identifiers = new Map<string, IdentifierRow>();
    prepared.forEach((event, position) => {
      for (const id of event.identifiers) {
        const known = identifiers.get(id.key);
        if (!known)
          identifiers.set(id.key, [id.key, id.type, id.value, event.occurredAt, [position]]);
        else {
          known[3] = Math.max(known[3], event.occurredAt);
          known[4].push(position);
        }
      }
    });
    return [...identifiers.values()].sort((a, b) => (a[0] < b[0] ? -1 : 1));
  }

  async function resolveInTx(tx: GraphTx, jobId: string, batchEvents: readonly PreparedEvent[]) {
    const claim = randomUUID();
    const at = now();
    // Events are claimed in key order and identifiers locked in key order, so two batches that share
    // events or identifiers wait for each other instead of deadlocking where they can.
    const prepared = [...batchEvents].sort((a, b) => (a.key < b.key ? -1 : 1));
    const identifiers = batchIdentifiers(prepared);
    const [batch] = await tx.run<ClaimedBatch>('write/claim-batch', {
      jobId,
      claim,
      now: at,
      rows: {
        events: prepared.map((e): EventRow => [
          e.key,
          e.source,
          e.eventId,
          e.occurredAt,
          e.linking,
          e.purposes,
          e.payload,
        ]),
        identifiers,
      },
    });
    if (!batch || batch.claimed.length !== prepared.length)
      throw new Error('write/claim-batch answered one flag per event');
    const claimed = new Set(prepared.filter((_, n) => batch.claimed[n]).map((e) => e.key));
    // Logged by this same job in an earlier, interrupted run: applied then, counted as applied now.
    const replayed = new Set(
      prepared.filter((_, n) => !batch.claimed[n] && batch.sameJob[n]).map((e) => e.key),
    );
    const fresh = prepared.filter((e) => claimed.has(e.key));
    const matching = emptyMatching();
    if (fresh.length === 0) return { claimed, replayed, plan: undefined, matching };

    // Identifiers of fresh events only, now locked: key -> element id, and key -> current person.
    const elementIdOf = new Map<string, string>();
    const personOf = new Map<string, string | null>();
    for (const [position, elementId, personId] of batch.identifiers) {
      const key = identifiers[position]![0];
      elementIdOf.set(key, elementId);
      personOf.set(key, personId);
    }

    const { matches, reviews, unchecked } = await matchRecords(tx, jobId, at, fresh, {
      elementIdOf,
      personOf,
      matching,
    });
    const plan = await lockAndPlan(tx, {
      jobId,
      at,
      events: fresh,
      matches,
      reviews,
      elementIdOf,
      personOf,
      unchecked,
    });
    return { claimed, replayed, plan, matching };
  }

  /**
   * Stores the records of the fresh events that carry attributes and scores them against their
   * candidates. Candidates' anchors join `elementIdOf` / `personOf` (their persons were read without
   * a lock; lockAndPlan checks them again under one).
   */
  async function matchRecords(
    tx: GraphTx,
    jobId: string,
    at: number,
    fresh: readonly PreparedEvent[],
    ctx: {
      elementIdOf: Map<string, string>;
      personOf: Map<string, string | null>;
      matching: MatchingOutcome;
    },
  ): Promise<{ matches: PlanMatch[]; reviews: ReviewRow[]; unchecked: Set<string> }> {
    const matcher = deps.matcher;
    const matches: PlanMatch[] = [];
    const reviews: ReviewRow[] = [];
    // Anchors of candidates outside the batch: their persons were read before any lock.
    const unchecked = new Set<string>();
    if (!matcher) return { matches, reviews, unchecked };
    const records: FreshRecord[] = [];
    for (const event of fresh) {
      if (!event.attributes) continue;
      const record = matcher.toRecord(event.key, event.source, event.attributes);
      // The anchor is the identifier a probabilistic link joins: the event's first, by key.
      if (record)
        records.push({ id: newId('rec'), event, record, anchorKey: event.identifiers[0]!.key });
    }
    if (records.length === 0) return { matches, reviews, unchecked };
    ctx.matching.records = records.length;

    const slotsOf = records.map((r) => (r.event.linking ? matcher.keySlots(r.record) : NO_KEYS));
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
      jobId,
      now: at,
      rows: {
        probes,
        records: records.map((r, n) => [
          r.event.key,
          r.id,
          r.event.source,
          serializeRecordValues(r.record),
          r.event.linking,
          r.event.purposes,
          r.anchorKey,
          r.event.identifiers.map((i) => ctx.elementIdOf.get(i.key)!),
          slotsOf[n]!,
        ]),
      },
      maxBlock: settings.maxBlock,
      scanLimit: settings.maxBlock + 1,
      linkOnly: settings.linkOnly,
      separator: settings.separator,
    });
    if (!claimed) throw new Error('write/claim-records answered no row');
    const candidateOf = batchCandidates(records);
    const pools = candidatePools(blockRecords, probeOf, claimed.blocks, settings);
    const keyOf = await candidateKeys(tx, candidateOf, pools, settings.cap);
    const answer = {
      seen: claimed.seen,
      candidates: pools.map(({ position, pool, sizes }): ClaimedCandidates => [
        position,
        pool.size,
        cappedCandidates(pool, settings.cap, (id) => keyOf.get(id)!),
        sizes,
      ]),
    };

    await readCandidates(tx, candidateOf, answer.candidates);
    const scoring: Scoring = {
      matches,
      reviews,
      unchecked,
      pending: new Map(),
      scoredPairs: new Set(),
      bothSides: new Set(records.map((r) => r.id)),
      ...ctx,
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
    for (const [position, found, ids] of answer.candidates) score(position, found, ids);
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
          { pool, scored: answer.candidates[n]![2].length, sizes: new Map(sizes) },
        ]),
      );
      const late = await recheckBlocks(tx, {
        at,
        filed,
        slotsOf,
        entry,
        seen: answer.seen,
        firstRead,
      });
      if (late.length > 0) {
        await readCandidates(tx, candidateOf, late);
        for (const [position, found, ids] of late) {
          // Counted here as part of the record's candidates, not as a second record's.
          const before = firstRead.get(position)!.pool.size;
          ctx.matching.candidates += found;
          if (before <= matcher.maxCandidates && before + found > matcher.maxCandidates)
            ctx.matching.capped += 1;
          score(position, 0, ids);
        }
        await readAnchors(tx, scoring);
      }
    }
    return { matches, reviews, unchecked };
  }

  /**
   * Takes the matching clock (write/lock-matching) and finds the records other transactions filed
   * under the batch's keys since claim-records read the clock: from the matching log, or by reading
   * the blocks again (read/recheck-blocks) where the log cannot tell on its own. Returns, per
   * record, the candidates that read did not return (never the record itself), earlier rules
   * first, within the record's cap: rows shaped as claim-records' ([position, found, ids]).
   */
  async function recheckBlocks(
    tx: GraphTx,
    ctx: {
      at: number;
      filed: readonly { id: string; source: string }[];
      slotsOf: readonly (readonly (number | null)[])[];
      entry: MatchLogEntry;
      seen: number;
      /**
       * The first read by record position: every candidate found (its pool), how many of them were
       * scored (the cap's room), block sizes by rule.
       */
      firstRead: ReadonlyMap<
        number,
        { pool: ReadonlyMap<string, number>; scored: number; sizes: ReadonlyMap<number, number> }
      >;
    },
  ): Promise<[number, number, string[]][]> {
    const matcher = deps.matcher!;
    const { current, logs } = await lockMatching(tx, ctx.at, ctx.entry, ctx.seen);
    // Entries ctx.seen..current: the one numbered ctx.seen may have been read half applied.
    const expected = current - Math.max(ctx.seen, 1) + 1;
    const found: { position: number; rule: number; ids: Iterable<string> }[] = [];
    const probes: [number, number, number, string][] = [];
    const probe = (position: number, rule: number, key: number) =>
      probes.push([position, rule, key, ctx.filed[position]!.source]);
    if (logs.length < expected) {
      // Pruned since: every block of the batch is read again.
      for (const position of ctx.firstRead.keys())
        ctx.slotsOf[position]!.forEach((key, rule) => {
          if (key !== null) probe(position, rule, key);
        });
    } else {
      const blocks = lateBlocks(logs, {
        records: ctx.filed,
        slotsOf: ctx.slotsOf,
        linkOnly: matcher.linkOnly,
      });
      for (const block of blocks) {
        const size = ctx.firstRead.get(block.position)?.sizes.get(block.rule) ?? 0;
        // Skipped as too common when read; blocks only grow.
        if (size > matcher.maxBlockSize) continue;
        // The log's records may include some the read already counted: only the graph can tell.
        if (size + block.ids.size > matcher.maxBlockSize)
          probe(block.position, block.rule, block.key);
        else found.push(block);
      }
    }
    if (probes.length > 0) {
      const [answer] = await tx.run<{ found: [number, number, string[]][] }>(
        'read/recheck-blocks',
        {
          rows: { probes },
          maxBlock: matcher.maxBlockSize,
          scanLimit: matcher.maxBlockSize + 1,
          linkOnly: matcher.linkOnly,
        },
      );
      if (!answer) throw new Error('read/recheck-blocks answered no row');
      for (const [position, rule, ids] of answer.found) found.push({ position, rule, ids });
    }
    const late = new Map<number, Set<string>>();
    // Earlier rules first, as claim-records orders candidates for the cap.
    for (const { position, ids } of found.sort((a, b) => a.rule - b.rule)) {
      const first = ctx.firstRead.get(position)!;
      const own = ctx.filed[position]!.id;
      for (const id of ids) {
        if (id === own || first.pool.has(id)) continue;
        const mine = late.get(position) ?? new Set<string>();
        mine.add(id);
        late.set(position, mine);
      }
    }
    return [...late].map(([position, ids]) => {
      const room = Math.max(0, matcher.maxCandidates - ctx.firstRead.get(position)!.scored);
      return [position, ids.size, [...ids].slice(0, room)];
    });
  }

  /**
   * write/lock-matching: takes the matching clock, moves it on and logs `entry`; returns the clock
   * as found under the lock and the log entries numbered `seen` to it (none when `seen` is null, as
   * for a rescore page, which locks before it reads).
   */
  async function lockMatching(
    tx: GraphTx,
    at: number,
    entry: MatchLogEntry,
    seen: number | null,
  ): Promise<{ current: number; logs: MatchLogRow[] }> {
    const [locked] = await tx.run<{ current: number; logs: MatchLogRow[] }>('write/lock-matching', {
      now: at,
      // New per transaction: writing it takes the clock's lock before its value is read.
      token: randomInt(2 ** 47),
      seen,
      kept: deps.matchLogKept ?? MATCH_LOG_KEPT,
      rows: entry,
    });
    if (!locked) throw new Error('write/lock-matching answered no row');
    return locked;
  }

  /** The batch's own records as candidates (with their purposes), cached for later batches. */
  function batchCandidates(records: readonly FreshRecord[]): Map<string, Candidate> {
    const cache = deps.candidateCache;
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

  /**
   * Event keys of the candidates of records with more than `cap` of them, which order those
   * candidates: from the batch, the cache, or read/candidate-keys (keys only: such a record
   * may have thousands of candidates, and only `cap` of them are read).
   */
  async function candidateKeys(
    tx: GraphTx,
    candidateOf: ReadonlyMap<string, Candidate>,
    pools: readonly CandidatePool[],
    cap: number,
  ): Promise<Map<string, string>> {
    const keyOf = new Map<string, string>();
    const missing = new Set<string>();
    for (const { pool } of pools) {
      if (pool.size <= cap) continue;
      for (const id of pool.keys()) {
        const key = candidateOf.get(id)?.key ?? deps.candidateCache?.get(id)?.key;
        if (key !== undefined) keyOf.set(id, key);
        else missing.add(id);
      }
    }
    if (missing.size === 0) return keyOf;
    const rows = await tx.run<{ id: string; key: string }>('read/candidate-keys', {
      ids: [...missing].sort(),
    });
    if (rows.length !== missing.size) throw new StaleResolutionError();
    for (const { id, key } of rows) keyOf.set(id, key);
    return keyOf;
  }

  /**
   * Adds the candidates named in the rows of `found` ([position, found, ids, ...]) that
   * `candidateOf` lacks: from the cache, or read with read/candidate-records and cached.
   */
  async function readCandidates(
    tx: GraphTx,
    candidateOf: Map<string, Candidate>,
    found: readonly (readonly [number, number, readonly string[], ...unknown[]])[],
  ): Promise<void> {
    const cache = deps.candidateCache;
    const missing = new Set<string>();
    for (const [, , ids] of found)
      for (const id of ids) {
        if (candidateOf.has(id)) continue;
        const cached = cache?.get(id);
        if (cached) candidateOf.set(id, cached);
        else missing.add(id);
      }
    if (missing.size === 0) return;
    const rows = await tx.run<StoredCandidate>('read/candidate-records', {
      ids: [...missing].sort(),
    });
    for (const { id, key, source, values, anchorKey } of rows) {
      const stored = { id, key, record: parseRecordValues(key, source, values), anchorKey };
      cache?.set(id, stored);
      candidateOf.set(id, stored);
    }
    if (rows.length !== missing.size) throw new StaleResolutionError();
  }

  /**
   * Purposes and anchors of the matched candidates that lack them (read/candidate-anchors); anchors
   * found here were read without a lock (`unchecked`: write/lock-persons reads them again under the
   * persons' locks).
   */
  async function readAnchors(tx: GraphTx, s: Scoring): Promise<void> {
    if (s.pending.size === 0) return;
    const rows = await tx.run<AnchorRow>('read/candidate-anchors', {
      ids: [...s.pending.keys()].sort(),
    });
    if (rows.length !== s.pending.size) throw new StaleResolutionError();
    completePending(s, rows);
    s.pending.clear();
  }

  /**
   * Re-scores a page of stored records with the current model inside one transaction: re-files
   * them under the current blocking rules, scores each against its earlier candidates, and joins
   * or queues pairs whose anchors are in different persons exactly as ingestion would.
   */
  async function rescorePageInTx(
    tx: GraphTx,
    page: readonly RecordsPageRow[],
    matching: MatchingOutcome,
  ): Promise<ResolutionPlan | undefined> {
    const matcher = deps.matcher!;
    const at = now();
    const records = page.map((r) => parseRecordValues(r.key, r.source, r.values));
    const slotsOf = records.map((record, n) =>
      page[n]!.linking ? matcher.keySlots(record) : NO_KEYS,
    );
    // Locked before anything is read: a page files records under keys, as a batch does.
    const entry = matchLogEntry(page, slotsOf);
    if (entry.records.length > 0) await lockMatching(tx, at, entry, null);
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
    return lockAndPlan(tx, {
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

  /**
   * Locks the persons the evidence may join, plans, and writes the plan. Shared by event batches
   * and review decisions.
   */
  async function lockAndPlan(
    tx: GraphTx,
    ctx: {
      jobId: string;
      at: number;
      events: readonly PreparedEvent[];
      matches: readonly PlanMatch[];
      reviews: readonly ReviewRow[];
      elementIdOf: Map<string, string>;
      personOf: Map<string, string | null>;
      /** Identifiers whose person was read without a lock: checked again under the locks. */
      unchecked?: ReadonlySet<string>;
    },
  ): Promise<ResolutionPlan> {
    const { personOf } = ctx;
    // Only persons that evidence may join to something else can change; the rest need no lock.
    const toLock = new Set<string>();
    const consider = (keys: readonly string[]) => {
      const persons = new Set(keys.map((k) => personOf.get(k) ?? `new:${k}`));
      if (persons.size > 1) for (const p of persons) if (!p.startsWith('new:')) toLock.add(p);
    };
    for (const event of ctx.events)
      if (event.linking) consider(event.identifiers.map((i) => i.key));
    const check = new Set<string>();
    for (const match of ctx.matches) {
      consider([match.fromKey, match.toKey]);
      for (const key of [match.fromKey, match.toKey]) if (ctx.unchecked?.has(key)) check.add(key);
    }
    const persons = new Map<string, PlanPerson>();
    const personElementId = new Map<string, string>();
    if (toLock.size > 0 || check.size > 0) {
      const [locked] = await tx.run<{
        persons: [string, string, number, string, string[], [string, string][]][];
        checks: [string, string | null][];
      }>('write/lock-persons', {
        rows: {
          personIds: [...toLock].sort(),
          limitedTypes,
          checkIdentifiers: [...check].sort(),
        },
      });
      if (!locked) throw new Error('write/lock-persons answered no row');
      for (const [id, elementId, createdAt, status, types, cannotLink] of locked.persons) {
        if (status !== 'active') throw new StaleResolutionError();
        const counts: Record<string, number> = {};
        for (const type of types) counts[type] = (counts[type] ?? 0) + 1;
        persons.set(id, { id, createdAt, counts, cannotLink });
        personElementId.set(id, elementId);
      }
      if (persons.size !== toLock.size) throw new StaleResolutionError();
      // A candidate's anchor that moved between the unlocked read and the locks: read again.
      for (const [key, personId] of locked.checks)
        if (personId !== personOf.get(key)) throw new StaleResolutionError();
    }

    const plan = planResolution({
      events: ctx.events,
      matches: ctx.matches,
      personOf,
      persons,
      limits: deps.limits,
      now: ctx.at,
      newPersonId: () => newId('per'),
    });
    await tx.run(
      'write/apply-plan',
      planParams(plan, {
        jobId: ctx.jobId,
        at: ctx.at,
        elementIdOf: ctx.elementIdOf,
        personOf,
        personElementId,
        reviews: ctx.reviews,
      }),
    );
    return plan;
  }

  /**
   * The parameters of write/apply-plan. Identifiers and grown persons are addressed by the element
   * ids the earlier statements returned: no second index lookup (and index lock) per row.
   */
  function planParams(
    plan: ResolutionPlan,
    ctx: {
      jobId: string;
      at: number;
      elementIdOf: ReadonlyMap<string, string>;
      personOf: ReadonlyMap<string, string | null>;
      personElementId: ReadonlyMap<string, string>;
      reviews: readonly ReviewRow[];
    },
  ) {
    const node = (key: string) => {
      const id = ctx.elementIdOf.get(key);
      if (id === undefined)
        throw new Error('resolver: the plan names an identifier the batch did not lock');
      return id;
    };
    const linkIds = new Map(plan.links.map((l) => [`${l.fromKey}\u0000${l.toKey}`, newId('lnk')]));
    const linkId = (from: string, to: string) => linkIds.get(`${from}\u0000${to}`)!;

    const created = new Map(
      plan.newPersons.map((p) => [
        p.id,
        { id: p.id, createdAt: p.createdAt, identifiers: [] as string[] },
      ]),
    );
    const grown = new Map<string, { person: string; identifiers: string[] }>();
    for (const { key, personId } of plan.attach) {
      let row: { identifiers: string[] } | undefined = created.get(personId) ?? grown.get(personId);
      if (!row) {
        const person = ctx.personElementId.get(personId);
        // Only a locked person can grow: an event joined a new identifier to one of its identifiers.
        if (person === undefined)
          throw new Error('resolver: the plan grows a person the batch did not lock');
        const existing = { person, identifiers: [] };
        grown.set(personId, existing);
        row = existing;
      }
      row.identifiers.push(node(key));
    }

    const newLinks: LinkRow[] = [];
    const links: LinkRow[] = [];
    for (const l of plan.links) {
      const row: LinkRow = [
        node(l.fromKey),
        node(l.toKey),
        linkId(l.fromKey, l.toKey),
        l.status,
        l.firstSeen,
        l.lastSeen,
        l.sources,
        l.purposes,
        l.eventKeys,
        l.confidence,
        l.method,
        l.rule,
        l.modelVersion,
        l.explanation,
        l.records,
      ];
      // An identifier without a person was created in this transaction: its pairs cannot be linked yet.
      (ctx.personOf.get(l.fromKey) === null || ctx.personOf.get(l.toKey) === null
        ? newLinks
        : links
      ).push(row);
    }

    // Explanations of probabilistic links and reviews refer to their model's template.
    const scored = ctx.reviews.length > 0 || plan.links.some((l) => l.explanation !== null);
    return {
      jobId: ctx.jobId,
      now: ctx.at,
      kept: deps.evidenceKept,
      methodRank: METHOD_RANK,
      model: scored && deps.matcher ? modelParameter(deps.matcher.model) : null,
      rows: {
        reviews: ctx.reviews,
        created: [...created.values()],
        grown: [...grown.values()],
        absorbed: plan.absorbed,
        refusals: plan.refusals.map((r) => ({
          ...r,
          id: newId('aud'),
          linkId: linkId(r.fromKey, r.toKey),
        })),
        newLinks,
        links,
        merges: plan.merges.map((m) => ({ ...m, id: newId('aud') })),
      },
    };
  }

  return {
    /**
     * Re-scores a page of stored records with the current model (`idgraph model rescore`): pairs
     * the model now links are joined, pairs in the review band queued, as ingestion would.
     */
    async rescoreRecords(
      page: readonly RecordsPageRow[],
    ): Promise<{ matching: MatchingOutcome; merges: number; refusals: number }> {
      if (!deps.matcher) throw new Error('resolver: rescoring needs a matcher');
      let matching = emptyMatching();
      const plan = await withStaleRetries(deps.graph, 'rescore-records', (tx) => {
        matching = emptyMatching();
        return rescorePageInTx(tx, page, matching);
      });
      return {
        matching,
        merges: plan?.merges.length ?? 0,
        refusals: plan?.refusals.length ?? 0,
      };
    },

    /**
     * Re-evaluates one probabilistic link scored by another model version: kept with its new
     * probability, or withdrawn (audited) when it falls below the auto threshold, splitting the
     * person when the link held it together.
     */
    async rescoreLink(
      linkId: string,
    ): Promise<{ outcome: 'kept' | 'withdrawn' | 'skipped'; splitInto: string[] }> {
      const matcher = deps.matcher;
      if (!matcher) throw new Error('resolver: rescoring needs a matcher');
      return withStaleRetries(deps.graph, 'rescore-link', async (tx) => {
        const [link] = await tx.run<{
          status: string;
          method: string;
          modelVersion: string | null;
          personId: string;
          personStatus: string;
          records: [string | null, string, string][];
        }>('write/lock-link', { linkId });
        const records = (link?.records ?? []).filter((r) => r[0] !== null);
        if (
          !link ||
          link.status !== 'active' ||
          link.method !== 'probabilistic' ||
          link.modelVersion === matcher.model.version ||
          records.length !== 2
        )
          return { outcome: 'skipped' as const, splitInto: [] };
        if (link.personStatus !== 'active') throw new StaleResolutionError();
        const [a, b] = records.map(([key, source, values]) =>
          parseRecordValues(key!, source, values),
        );
        const score = matcher.score(a!, b!);
        const keep = matcher.decide(score.probability) === 'link';
        const at = now();
        await tx.run('write/rescore-link', {
          linkId,
          keep,
          confidence: score.probability,
          modelVersion: score.modelVersion,
          explanation: storedExplanation(score),
          model: modelParameter(matcher.model),
          now: at,
          personId: link.personId,
          auditId: newId('aud'),
        });
        if (keep) return { outcome: 'kept' as const, splitInto: [] };
        const parts = await splitIfDisconnected(tx, {
          personId: link.personId,
          linkId,
          reason: 'link_withdrawn',
          now: at,
        });
        return { outcome: 'withdrawn' as const, splitInto: parts.map((p) => p.personId) };
      });
    },

    /**
     * Joins the persons of two identifiers on a manual decision (a review's `match`), inside the
     * caller's transaction: a link with method `manual` and confidence 1, merged and audited as any
     * other join, under the same limits and no-match constraints. Returns the plan; a refusal in
     * it means nothing was joined.
     */
    async joinManually(
      tx: GraphTx,
      input: {
        fromKey: string;
        toKey: string;
        eventKey: string;
        source: string;
        purposes: readonly string[];
        jobId: string;
        records: readonly string[];
      },
    ): Promise<ResolutionPlan> {
      const at = now();
      const keys = [...new Set([input.fromKey, input.toKey])].sort();
      const rows = await tx.run<{ key: string; elementId: string; personId: string | null }>(
        'write/lock-identifiers',
        { keys },
      );
      if (rows.length !== keys.length) throw new StaleResolutionError();
      const elementIdOf = new Map(rows.map((r) => [r.key, r.elementId]));
      const personOf = new Map<string, string | null>(rows.map((r) => [r.key, r.personId]));
      return lockAndPlan(tx, {
        jobId: input.jobId,
        at,
        events: [],
        matches: [
          {
            fromKey: input.fromKey,
            toKey: input.toKey,
            method: 'manual',
            rule: MANUAL_RULE,
            confidence: 1,
            source: input.source,
            occurredAt: at,
            eventKey: input.eventKey,
            purposes: input.purposes,
            modelVersion: null,
            explanation: null,
            records: input.records,
          },
        ],
        reviews: [],
        elementIdOf,
        personOf,
      });
    },

    /**
     * Applies a batch. Idempotent: events already in the event log are reported as duplicates (or as
     * applied, when this same job logged them before a crash) and change nothing.
     */
    async resolveBatch(jobId: string, events: readonly IdentityEvent[]): Promise<BatchOutcome> {
      const { prepared, rejected, rejectedEvents, repeated } = prepareEvents(events, deps.registry);
      let result: Awaited<ReturnType<typeof resolveInTx>> | undefined;
      if (prepared.length > 0) {
        // Every run of the transaction function: the driver re-runs it after a deadlock or another
        // transient error, this loop after a stale read.
        let attempts = 0;
        result = await withStaleRetries(
          deps.graph,
          'resolve-batch',
          (tx) => {
            attempts += 1;
            return resolveInTx(tx, jobId, prepared);
          },
          (attempt) => deps.logger.debug({ jobId, attempt }, 'stale resolver read; retrying batch'),
        );
        // Retries are normal when concurrent batches share identifiers; many of them cost throughput.
        if (attempts > 1) deps.logger.info({ jobId, attempts }, 'batch transaction retried');
      }
      const outcomes: EventOutcome[] = prepared.map((e) => {
        if (result?.claimed.has(e.key)) {
          const personIds = [
            ...new Set(e.identifiers.map((i) => result.plan!.personOf.get(i.key)!)),
          ];
          return { eventId: e.eventId, source: e.source, status: 'applied', personIds };
        }
        if (result?.replayed.has(e.key))
          return { eventId: e.eventId, source: e.source, status: 'applied', personIds: [] };
        return { eventId: e.eventId, source: e.source, status: 'duplicate' };
      });
      return {
        applied: outcomes.filter((o) => o.status === 'applied').length,
        duplicates: outcomes.filter((o) => o.status === 'duplicate').length + repeated,
        rejectedEvents,
        rejected,
        events: outcomes,
        merges: result?.plan?.merges.length ?? 0,
        refusals: result?.plan?.refusals.length ?? 0,
        matching: result?.matching ?? emptyMatching(),
      };
    },
  };
}
