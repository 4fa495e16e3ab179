import { randomUUID } from 'node:crypto';
import type { Graph, GraphTx } from '../graph/graph-client.js';
import { newId } from '../ids.js';
import type { Logger } from '../logger.js';
import type { IdentityEvent } from './event-schema.js';
import type { IdentifierRegistry } from './identifier-types.js';
import { type PreparedEvent, type Rejection, prepareEvents } from './prepare-events.js';
import { type PlanPerson, type ResolutionPlan, planResolution } from './resolution-plan.js';

/**
 * Resolves a batch of identity events into the graph in one write transaction:
 *
 * 1. claim the events in the event log (duplicates stop here);
 * 2. create and lock the identifiers, in key order, and read their persons;
 * 3. lock the persons that may change, in id order, and read their limit counts;
 * 4. plan links, merges and refusals ({@link planResolution}, pure);
 * 5. write persons, memberships, links, audit records and provenance.
 *
 * Everything a decision reads is locked before it is read, so concurrent batches serialise where they
 * overlap and the graph comes out as one worker would make it. Neo4j breaks deadlocks between
 * batches by failing one; the driver then retries the whole transaction function, which is safe
 * because every attempt starts from the claim and writes nothing outside the transaction.
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
}

export interface ResolverDeps {
  graph: Pick<Graph, 'writeTransaction'>;
  registry: Pick<IdentifierRegistry, 'normalize'>;
  limits: Readonly<Record<string, number>>;
  evidenceKept: number;
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

export type ResolverService = ReturnType<typeof createResolverService>;

export function createResolverService(deps: ResolverDeps) {
  const now = deps.now ?? Date.now;
  const limitedTypes = Object.keys(deps.limits);

  async function resolveInTx(tx: GraphTx, jobId: string, prepared: PreparedEvent[]) {
    const claim = randomUUID();
    const at = now();
    const claims = await tx.run<{ key: string; claimed: boolean; sameJob: boolean }>('write/claim-events', {
      jobId,
      claim,
      now: at,
      events: prepared.map((e) => ({
        key: e.key,
        source: e.source,
        eventId: e.eventId,
        occurredAt: e.occurredAt,
        linking: e.linking,
        purposes: e.purposes,
        payload: e.payload,
      })),
    });
    const claimed = new Set(claims.filter((c) => c.claimed).map((c) => c.key));
    // Logged by this same job in an earlier, interrupted run: applied then, counted as applied now.
    const replayed = new Set(claims.filter((c) => !c.claimed && c.sameJob).map((c) => c.key));
    const fresh = prepared.filter((e) => claimed.has(e.key));
    if (fresh.length === 0) return { claimed, replayed, plan: undefined };

    const identifiers = new Map<string, { key: string; type: string; value: string; lastSeen: number }>();
    for (const event of fresh) {
      for (const id of event.identifiers) {
        const known = identifiers.get(id.key);
        if (!known) identifiers.set(id.key, { ...id, lastSeen: event.occurredAt });
        else known.lastSeen = Math.max(known.lastSeen, event.occurredAt);
      }
    }
    const locked = await tx.run<{ key: string; personId: string | null }>('write/lock-identifiers', {
      claim,
      now: at,
      identifiers: [...identifiers.values()].sort((a, b) => (a.key < b.key ? -1 : 1)),
    });
    const personOf = new Map(locked.map((r) => [r.key, r.personId]));

    // Only persons that an event may join to something else can change; the rest need no lock.
    const toLock = new Set<string>();
    for (const event of fresh) {
      if (!event.linking) continue;
      const persons = new Set(event.identifiers.map((i) => personOf.get(i.key) ?? `new:${i.key}`));
      if (persons.size > 1) for (const p of persons) if (!p.startsWith('new:')) toLock.add(p);
    }
    const personRows = await tx.run<{ id: string; createdAt: number; status: string; limitedTypes: string[] }>(
      'write/lock-persons',
      { claim, personIds: [...toLock].sort(), limitedTypes },
    );
    const persons = new Map<string, PlanPerson>();
    for (const row of personRows) {
      if (row.status !== 'active') throw new StaleResolutionError();
      const counts: Record<string, number> = {};
      for (const type of row.limitedTypes) counts[type] = (counts[type] ?? 0) + 1;
      persons.set(row.id, { id: row.id, createdAt: row.createdAt, counts });
    }
    if (persons.size !== toLock.size) throw new StaleResolutionError();

    const plan = planResolution({
      events: fresh,
      personOf,
      persons,
      limits: deps.limits,
      now: at,
      newPersonId: () => newId('per'),
    });
    await writePlan(tx, jobId, at, fresh, plan);
    return { claimed, replayed, plan };
  }

  async function writePlan(tx: GraphTx, jobId: string, at: number, fresh: PreparedEvent[], plan: ResolutionPlan) {
    const linkIds = new Map(plan.links.map((l) => [`${l.fromKey}\u0000${l.toKey}`, newId('lnk')]));
    const linkId = (from: string, to: string) => linkIds.get(`${from}\u0000${to}`);
    if (plan.newPersons.length > 0) await tx.run('write/create-persons', { persons: plan.newPersons });
    if (plan.attach.length > 0) await tx.run('write/attach-identifiers', { rows: plan.attach, now: at });
    if (plan.absorbed.length > 0) await tx.run('write/absorb-persons', { rows: plan.absorbed, now: at });
    if (plan.refusals.length > 0) {
      await tx.run('write/record-refusals', {
        jobId,
        now: at,
        rows: plan.refusals.map((r) => ({ ...r, id: newId('aud'), linkId: linkId(r.fromKey, r.toKey) })),
      });
    }
    if (plan.links.length > 0) {
      await tx.run('write/upsert-links', {
        now: at,
        kept: deps.evidenceKept,
        links: plan.links.map((l) => ({ ...l, id: linkId(l.fromKey, l.toKey) })),
      });
    }
    if (plan.merges.length > 0) {
      await tx.run('write/record-merges', { jobId, now: at, rows: plan.merges.map((m) => ({ ...m, id: newId('aud') })) });
    }
    await tx.run('write/mention-events', {
      events: fresh.map((e) => ({ key: e.key, identifierKeys: e.identifiers.map((i) => i.key) })),
    });
  }

  return {
    /**
     * Applies a batch. Idempotent: events already in the event log are reported as duplicates (or as
     * applied, when this same job logged them before a crash) and change nothing.
     */
    async resolveBatch(jobId: string, events: readonly IdentityEvent[]): Promise<BatchOutcome> {
      const { prepared, rejected, rejectedEvents, repeated } = prepareEvents(events, deps.registry);
      let result: Awaited<ReturnType<typeof resolveInTx>> | undefined;
      if (prepared.length > 0) {
        for (let attempt = 1; ; attempt++) {
          try {
            result = await deps.graph.writeTransaction('resolve-batch', (tx) => resolveInTx(tx, jobId, prepared));
            break;
          } catch (error) {
            if (!(error instanceof StaleResolutionError) || attempt >= MAX_STALE_RETRIES) throw error;
            deps.logger.debug({ jobId, attempt }, 'stale resolver read; retrying batch');
          }
        }
      }
      const outcomes: EventOutcome[] = prepared.map((e) => {
        if (result?.claimed.has(e.key)) {
          const personIds = [...new Set(e.identifiers.map((i) => result!.plan!.personOf.get(i.key)!))];
          return { eventId: e.eventId, source: e.source, status: 'applied', personIds };
        }
        if (result?.replayed.has(e.key)) return { eventId: e.eventId, source: e.source, status: 'applied', personIds: [] };
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
      };
    },
  };
}
