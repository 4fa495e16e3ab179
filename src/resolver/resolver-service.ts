import { randomUUID } from 'node:crypto';
import type { Graph, GraphTx } from '../graph/graph-client.js';
import { newId } from '../ids.js';
import type { Logger } from '../logger.js';
import type { IdentityEvent } from './event-schema.js';
import type { IdentifierRegistry } from './identifier-types.js';
import { type PreparedEvent, type Rejection, prepareEvents } from './prepare-events.js';
import {
  DETERMINISTIC_RULE,
  type PlanPerson,
  type ResolutionPlan,
  planResolution,
} from './resolution-plan.js';

/**
 * Resolves a batch of identity events into the graph in one write transaction of two or three
 * statements:
 *
 * 1. `write/claim-batch`: claim the events in the event log (duplicates stop here), create and lock
 *    the identifiers of the claimed events in key order, read their persons, record provenance;
 * 2. `write/lock-persons` (when an event may join persons): lock those persons in id order and read
 *    their limit counts;
 * 3. plan links, merges and refusals ({@link planResolution}, pure);
 * 4. `write/apply-plan`: write persons, memberships, merges, links and audit records.
 *
 * Everything a decision reads is locked before it is read, so concurrent batches serialise where they
 * overlap and the graph comes out as one worker would make it. Neo4j breaks deadlocks between
 * batches by failing one; the driver then retries the whole transaction function, which is safe
 * because every attempt starts from the claim and writes nothing outside the transaction.
 * Statements after the first address nodes by the element ids the first returned: they are stable
 * while this transaction holds the nodes' locks.
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
const DETERMINISTIC_METHOD = 'deterministic';

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
    });
    if (!batch || batch.claimed.length !== prepared.length)
      throw new Error('write/claim-batch answered one flag per event');
    const claimed = new Set(prepared.filter((_, n) => batch.claimed[n]).map((e) => e.key));
    // Logged by this same job in an earlier, interrupted run: applied then, counted as applied now.
    const replayed = new Set(
      prepared.filter((_, n) => !batch.claimed[n] && batch.sameJob[n]).map((e) => e.key),
    );
    const fresh = prepared.filter((e) => claimed.has(e.key));
    if (fresh.length === 0) return { claimed, replayed, plan: undefined };

    // Identifiers of fresh events only, now locked: key -> element id, and key -> current person.
    const elementIdOf = new Map<string, string>();
    const personOf = new Map<string, string | null>();
    for (const [position, elementId, personId] of batch.identifiers) {
      const key = identifiers[position]![0];
      elementIdOf.set(key, elementId);
      personOf.set(key, personId);
    }

    // Only persons that an event may join to something else can change; the rest need no lock.
    const toLock = new Set<string>();
    for (const event of fresh) {
      if (!event.linking) continue;
      const persons = new Set(event.identifiers.map((i) => personOf.get(i.key) ?? `new:${i.key}`));
      if (persons.size > 1) for (const p of persons) if (!p.startsWith('new:')) toLock.add(p);
    }
    const persons = new Map<string, PlanPerson>();
    const personElementId = new Map<string, string>();
    if (toLock.size > 0) {
      const personRows = await tx.run<{
        id: string;
        elementId: string;
        createdAt: number;
        status: string;
        limitedTypes: string[];
      }>('write/lock-persons', { personIds: [...toLock].sort(), limitedTypes });
      for (const row of personRows) {
        if (row.status !== 'active') throw new StaleResolutionError();
        const counts: Record<string, number> = {};
        for (const type of row.limitedTypes) counts[type] = (counts[type] ?? 0) + 1;
        persons.set(row.id, { id: row.id, createdAt: row.createdAt, counts });
        personElementId.set(row.id, row.elementId);
      }
      if (persons.size !== toLock.size) throw new StaleResolutionError();
    }

    const plan = planResolution({
      events: fresh,
      personOf,
      persons,
      limits: deps.limits,
      now: at,
      newPersonId: () => newId('per'),
    });
    await tx.run(
      'write/apply-plan',
      planParams(plan, { jobId, at, elementIdOf, personOf, personElementId }),
    );
    return { claimed, replayed, plan };
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
      if (l.method !== DETERMINISTIC_METHOD || l.rule !== DETERMINISTIC_RULE) {
        throw new Error('resolver: write/apply-plan writes deterministic links only');
      }
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
      ];
      // An identifier without a person was created in this transaction: its pairs cannot be linked yet.
      (ctx.personOf.get(l.fromKey) === null || ctx.personOf.get(l.toKey) === null
        ? newLinks
        : links
      ).push(row);
    }

    return {
      jobId: ctx.jobId,
      now: ctx.at,
      kept: deps.evidenceKept,
      method: DETERMINISTIC_METHOD,
      rule: DETERMINISTIC_RULE,
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
    };
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
        // Every run of the transaction function: the driver re-runs it after a deadlock or another
        // transient error, this loop after a stale read.
        let attempts = 0;
        for (let attempt = 1; ; attempt++) {
          try {
            result = await deps.graph.writeTransaction('resolve-batch', (tx) => {
              attempts += 1;
              return resolveInTx(tx, jobId, prepared);
            });
            break;
          } catch (error) {
            if (!(error instanceof StaleResolutionError) || attempt >= MAX_STALE_RETRIES)
              throw error;
            deps.logger.debug({ jobId, attempt }, 'stale resolver read; retrying batch');
          }
        }
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
      };
    },
  };
}
