import type { Graph, GraphTx } from '../graph/graph-client.js';
import type { Logger } from '../logger.js';
import type { MatcherSource } from '../matching/model/matcher-source.js';
import type { IdentityEvent } from '../events/event-schema.js';
import { writeConsent } from '../consent/consent-state.js';
import { claimBatch } from './batch-claim.js';
import { type BatchConsent, batchConsent } from './batch-consent.js';
import {
  BatchSuppression,
  type KeyHasher,
  scrubEvents,
  SuppressedIdentifiers,
} from './batch-suppression.js';
import {
  type AttributeWarnings,
  type BatchOutcome,
  emptyMatching,
  type EventOutcome,
  type MatchingOutcome,
} from './batch-outcome.js';
import type { IdentifierRegistry } from './identifier-types.js';
import { createPlanWriter } from './plan-writer.js';
import { warmUp } from './resolver-warm-up.js';
import { type PreparedEvent, prepareEvents } from './prepare-events.js';
import type { CandidateCache } from './record-matching/candidate-cache.js';
import {
  type MatchedRecords,
  matchRecords,
  type RecordMatchingDeps,
} from './record-matching/record-matching.js';
import { rescoreLinks, type StaleLinkRow } from './rescoring/rescore-link.js';
import {
  type FiledPage,
  fileRecordsPage,
  type RecordsPageRow,
  rescoreRecordsPage,
} from './rescoring/rescore-records.js';
import type { ResolutionPlan } from './resolution-plan.js';
import { withStaleRetries } from './transaction-retry.js';

/**
 * Resolves a batch of identity events into the graph in one write transaction:
 *
 * 1. `write/claim-batch` (batch-claim.ts): claim the events in the event log (duplicates stop
 *    here), create and lock the identifiers of the claimed events in key order, read their persons,
 *    consent states and suppressions, record provenance (identifiers found suppressed: the
 *    transaction runs again without them, batch-suppression.ts); `write/record-consent` (when the events' consent
 *    changes a state; batch-consent.ts) writes the states, and identifiers whose identity_linking
 *    is denied link nothing;
 * 2. `write/claim-records` (when claimed events carry attributes and matching is on;
 *    record-matching/): read the matching clock and the committed blocks under the batch's keys,
 *    store the source records, without a lock; each record's candidates are those blocks plus the
 *    batch's own records; score the pairs here: at or above the auto threshold a probabilistic
 *    match, in the review band a review;
 * 3. `write/lock-matching`: take the matching clock and log the batch's keys; the log entries of
 *    batches committed since the clock was read name the records they filed under this batch's
 *    keys, and those new pairs are scored (the protocol, and why every pair is scored exactly once,
 *    is in lock-matching.cypher);
 * 4. `write/lock-persons` (plan-writer.ts; when evidence may join persons): lock those persons in
 *    id order and read their limit counts and no-match constraints;
 * 5. plan links, merges and refusals (`planResolution` in resolution-plan.ts, pure);
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
 *
 * The service also re-scores stored records and links with the current model (rescoring/), and
 * hands its plan writer to the review decisions, which join persons the same way.
 */

/** A transaction that applied nothing: every event of the batch was suppressed. */
const nothingResolved = (): ResolvedInTx => ({
  claimed: new Set(),
  replayed: new Set(),
  plan: undefined,
  matching: emptyMatching(),
  attributeWarnings: {},
});

export const defaultMergeLimits: Readonly<Record<string, number>> = { user_id: 1, crm_id: 1 };

export interface ResolverDeps {
  graph: Pick<Graph, 'writeTransaction'>;
  registry: Pick<IdentifierRegistry, 'normalize'>;
  limits: Readonly<Record<string, number>>;
  evidenceKept: number;
  /**
   * Probabilistic matching of event attributes: a batch scores with the matcher current when its
   * transaction function starts; without it records are not stored.
   */
  matchers?: Pick<MatcherSource, 'current'>;
  /** Values of candidate records this process has seen; without it every candidate is read. */
  candidateCache?: CandidateCache;
  /** Matching log entries kept (default MATCH_LOG_KEPT); tests shorten it. */
  matchLogKept?: number;
  /**
   * The keyed hash of an identifier key, as the suppression list holds it (PRIVACY_HASH_SECRET);
   * without it no identifier is suppressed.
   */
  suppressionHash?: KeyHasher;
  logger: Logger;
  now?: () => number;
}

/** What one run of a batch's transaction applied. */
interface ResolvedInTx {
  claimed: Set<string>;
  replayed: Set<string>;
  plan: ResolutionPlan | undefined;
  matching: MatchingOutcome;
  attributeWarnings: AttributeWarnings;
}

/** A batch's outcome, with its events as the event log keeps them when any identifier was suppressed. */
export interface ResolvedBatch extends BatchOutcome {
  /**
   * The batch's events without their suppressed identifiers (events left with none left out): the
   * ingest job's payload is rewritten to them. Holds values: never stored as the job's result.
   */
  scrubbed?: IdentityEvent[];
}

/**
 * Writes the consent states a batch's events change, and marks (write/mark-unlinked) the
 * identifiers events did not link for a denied identity_linking, so that re-anchoring an event
 * (event-anchors.ts) never links them on its behalf. Returns the events with those identifiers.
 */
async function writeBatchConsent(
  tx: GraphTx,
  fresh: readonly PreparedEvent[],
  consent: BatchConsent,
  ctx: { elementIdOf: ReadonlyMap<string, string>; at: number },
): Promise<readonly PreparedEvent[]> {
  await writeConsent(tx, consent.rows, ctx.at);
  if (consent.unlinked.size === 0) return fresh;
  const rows = [...consent.unlinked].flatMap(([eventKey, keys]) =>
    keys.map((key) => [eventKey, ctx.elementIdOf.get(key)!]),
  );
  await tx.run('write/mark-unlinked', { rows });
  return fresh.map((e) => {
    const unlinked = consent.unlinked.get(e.key);
    return unlinked ? { ...e, unlinked } : e;
  });
}

export type ResolverService = ReturnType<typeof createResolverService>;

export function createResolverService(deps: ResolverDeps) {
  const now = deps.now ?? Date.now;
  const planWriter = createPlanWriter(deps);
  const rescoring = {
    graph: deps.graph,
    matchers: deps.matchers,
    candidateCache: deps.candidateCache,
    matchLogKept: deps.matchLogKept,
    planWriter,
    now,
  };

  async function resolveInTx(
    tx: GraphTx,
    jobId: string,
    batchEvents: readonly PreparedEvent[],
    hash: KeyHasher | undefined,
  ): Promise<ResolvedInTx> {
    const at = now();
    // One matcher from start to end: a model version swapped in meanwhile applies to the next batch.
    const matcher = deps.matchers?.current();
    const recordMatching: RecordMatchingDeps | undefined = matcher && {
      matcher,
      candidateCache: deps.candidateCache,
      matchLogKept: deps.matchLogKept,
    };
    // 1. Claim the events, lock their identifiers; duplicates stop here.
    const batch = await claimBatch(tx, { jobId, at, events: batchEvents, hash });
    // Suppressed since the batch's events were prepared: run again without them.
    if (batch.suppressed.length > 0) throw new SuppressedIdentifiers(batch.suppressed);
    const { claimed, replayed, elementIdOf, personOf } = batch;
    const matching = emptyMatching();
    const attributeWarnings: AttributeWarnings = {};
    if (batch.fresh.length === 0)
      return { claimed, replayed, plan: undefined, matching, attributeWarnings };

    // The events' consent, and the identifiers whose denied identity_linking they may not link.
    const consent = batchConsent(batch.fresh, batch.consentOf, elementIdOf);
    const fresh = await writeBatchConsent(tx, batch.fresh, consent, { elementIdOf, at });

    // 2-3. Store and score the records (without a lock), then take the matching clock.
    const { matches, reviews, unchecked, denied }: MatchedRecords = recordMatching
      ? await matchRecords(tx, recordMatching, {
          jobId,
          at,
          fresh,
          elementIdOf,
          personOf,
          matching,
          attributeWarnings,
        })
      : { matches: [], reviews: [], unchecked: new Set(), denied: new Set() };
    for (const key of consent.denied) denied.add(key);
    // 4-6. Lock the persons the evidence may join, plan, write.
    const plan = await planWriter.lockAndPlan(tx, {
      jobId,
      at,
      events: fresh,
      matches,
      reviews,
      elementIdOf,
      personOf,
      unchecked,
      ...(matcher === undefined ? {} : { model: matcher.model }),
      denied,
    });
    matching.consentDenied = matches.filter(
      (m) => denied.has(m.fromKey) || denied.has(m.toKey),
    ).length;
    return { claimed, replayed, plan, matching, attributeWarnings };
  }

  return {
    /**
     * Applies a batch. Idempotent: events already in the event log are reported as duplicates (or as
     * applied, when this same job logged them before a crash) and change nothing.
     */
    async resolveBatch(jobId: string, events: readonly IdentityEvent[]): Promise<ResolvedBatch> {
      const { prepared, rejected, rejectedEvents, repeated } = prepareEvents(events, deps.registry);
      let result: ResolvedInTx | undefined;
      const suppression = new BatchSuppression(prepared, deps.registry, deps.suppressionHash);
      if (prepared.length > 0) {
        // Every run of the transaction function: the driver re-runs it after a deadlock or another
        // transient error, this loop after a stale read or a suppression found under lock.
        let attempts = 0;
        result = await withStaleRetries(
          deps.graph,
          'resolve-batch',
          async (tx) => {
            attempts += 1;
            const kept = suppression.attempt();
            if (kept.length === 0) return nothingResolved();
            return suppression.guard(() => resolveInTx(tx, jobId, kept, suppression.hash));
          },
          (attempt) => deps.logger.debug({ jobId, attempt }, 'stale resolver read; retrying batch'),
        );
        // Retries are normal when concurrent batches share identifiers; many of them cost throughput.
        if (attempts > 1) deps.logger.info({ jobId, attempts }, 'batch transaction retried');
      }
      const { dropped } = suppression;
      const outcomes: EventOutcome[] = dropped.kept.map((e) => {
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
        rejectedEvents: rejectedEvents + dropped.rejected.length,
        rejected: [...rejected, ...dropped.rejected],
        events: outcomes,
        merges: result?.plan?.merges.length ?? 0,
        refusals: result?.plan?.refusals.length ?? 0,
        matching: result?.matching ?? emptyMatching(),
        attributeWarnings: result?.attributeWarnings ?? {},
        suppressed: dropped.dropped,
        ...(suppression.keys.size > 0
          ? { scrubbed: scrubEvents(events, deps.registry, suppression.keys) }
          : {}),
      };
    },

    /**
     * `idgraph model rescore`, records: files a page of stored records again where the current
     * blocking rules change their keys (pages in order), then re-scores it with the current model.
     */
    fileRecordsPage: (page: readonly RecordsPageRow[]) => fileRecordsPage(rescoring, page),
    rescoreRecordsPage: (page: FiledPage) => rescoreRecordsPage(rescoring, page),

    /** `idgraph model rescore`, links: re-evaluates probabilistic links of other model versions. */
    rescoreLinks: (page: readonly StaleLinkRow[]) => rescoreLinks(rescoring, page),

    /** Plans every statement of a batch in Neo4j, on a rolled-back batch (resolver-warm-up.ts). */
    warmUp: () => warmUp(deps, now(), resolveInTx),

    /** Locks, plans and writes joins: review decisions join persons through it too. */
    planWriter,
  };
}
