import {
  appendChanges,
  createdChanges,
  mergedChanges,
  splitChanges,
} from '../changes/change-outbox.js';
import type { GraphTx } from '../graph/graph-client.js';
import { newId } from '../ids.js';
import { modelTemplate } from '../matching/scoring/explanation.js';
import type { FellegiSunterModel } from '../matching/scoring/fellegi-sunter.js';
import type { PreparedEvent } from './prepare-events.js';
import type { ReviewRow } from './record-matching/record-scoring.js';
import { METHOD_RANK } from './plan-evidence.js';
import {
  type PlanMatch,
  type PlanPerson,
  type ResolutionPlan,
  planResolution,
} from './resolution-plan.js';
import {
  addHeld,
  addIncident,
  type BetterMatchState,
  competingLinks,
  type HeldPerson,
  initialState,
  keysToRead,
  personsToRead,
  preferBetterMatches,
  splitsOf,
} from './better-match.js';
import { StaleResolutionError } from './transaction-retry.js';

/**
 * The end of every resolver transaction that may join persons (event batches, rescore pages,
 * review decisions): write/lock-persons locks, in id order, the persons the evidence may join and
 * reads their limit counts and no-match constraints; {@link planResolution} plans links, merges and
 * refusals (pure); where it refuses a probabilistic match that weaker links stand in the way of,
 * those are withdrawn and their persons split first (better-match.ts); write/apply-plan writes
 * persons, memberships, merges, links, reviews and audit records in one statement; the change
 * feed's entries for the splits, new persons and merges follow (appendChanges).
 */

/** A model's template as the statements that store explanations record it ($model). */
export function modelParameter(model: FellegiSunterModel) {
  const { json, checksum } = modelTemplate(model);
  return { version: model.version, checksum, template: json };
}

/*
 * A link row travels as a positional tuple, not a map: a map repeats every field name in every
 * row. write/apply-plan names each position in its first WITH.
 */
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

/** What a transaction found and wants joined: its events, matches and reviews, under its locks. */
export interface PlanInput {
  jobId: string;
  at: number;
  events: readonly PreparedEvent[];
  matches: readonly PlanMatch[];
  reviews: readonly ReviewRow[];
  elementIdOf: Map<string, string>;
  personOf: Map<string, string | null>;
  /** Identifiers whose person was read without a lock: checked again under the locks. */
  unchecked?: ReadonlySet<string>;
  /** The model that scored the probabilistic matches and reviews: their explanations refer to it. */
  model?: FellegiSunterModel;
  /**
   * Identifiers whose identity_linking consent is denied: a match with one is not linked. Those
   * also `unchecked` were read without a lock: their denial is checked again under the locks.
   */
  denied?: ReadonlySet<string>;
}

export interface PlanWriterDeps {
  limits: Readonly<Record<string, number>>;
  evidenceKept: number;
}

export type PlanWriter = ReturnType<typeof createPlanWriter>;

export function createPlanWriter(deps: PlanWriterDeps) {
  const limitedTypes = Object.keys(deps.limits);
  return {
    /** Locks the persons the evidence may join, plans, and writes the plan. */
    async lockAndPlan(tx: GraphTx, input: PlanInput): Promise<ResolutionPlan> {
      const { persons, personElementId } = await lockPersons(tx, input, limitedTypes);
      const { plan, state } = await planBetterMatches(
        tx,
        initialState({
          events: input.events,
          matches: input.matches.filter((m) => !deniedEnd(input, m)),
          personOf: input.personOf,
          persons,
          limits: deps.limits,
          now: input.at,
          newPersonId: () => newId('per'),
        }),
      );
      const betterLinkIds = await withdrawForBetterMatches(tx, state, input, personElementId);
      await tx.run(
        'write/apply-plan',
        planParams(plan, deps, {
          jobId: input.jobId,
          at: input.at,
          elementIdOf: input.elementIdOf,
          personOf: input.personOf,
          personElementId,
          reviews: input.reviews,
          presetLinkIds: betterLinkIds,
          competing: competingLinks(state, plan),
          model: input.model,
        }),
      );
      // The change feed: better-match splits first, then new persons and merges, as written.
      const splits = state.withdrawals.length > 0 ? splitsOf(state) : [];
      await appendChanges(tx, [
        ...splits.flatMap((s) =>
          splitChanges(
            s.personId,
            s.parts.map(([personId, identifiers]) => ({
              personId,
              identifiers: identifiers.length,
            })),
            input.at,
          ),
        ),
        ...createdChanges(
          plan.newPersons.map((p) => p.id),
          input.at,
        ),
        ...mergedChanges(plan.absorbed, input.at),
      ]);
      return plan;
    },
  };
}

/** True when a match names an identifier whose identity_linking consent is denied. */
const deniedEnd = (input: Pick<PlanInput, 'denied'>, m: PlanMatch) =>
  input.denied !== undefined && (input.denied.has(m.fromKey) || input.denied.has(m.toKey));

/**
 * write/lock-persons, when evidence may join persons: locks them and reads their ages, per-type
 * counts and no-match constraints, and re-reads the persons and identity_linking denials of
 * identifiers read without a lock (a changed one means the transaction starts again).
 */
async function lockPersons(
  tx: GraphTx,
  input: PlanInput,
  limitedTypes: readonly string[],
): Promise<{ persons: Map<string, PlanPerson>; personElementId: Map<string, string> }> {
  const { personOf } = input;
  // Only persons that evidence may join to something else can change; the rest need no lock.
  const toLock = new Set<string>();
  const consider = (keys: readonly string[]) => {
    const persons = new Set(keys.map((k) => personOf.get(k) ?? `new:${k}`));
    if (persons.size > 1) for (const p of persons) if (!p.startsWith('new:')) toLock.add(p);
  };
  for (const event of input.events) {
    if (!event.linking) continue;
    const { unlinked } = event;
    consider(event.identifiers.filter((i) => !unlinked?.includes(i.key)).map((i) => i.key));
  }
  const check = new Set<string>();
  for (const match of input.matches) {
    const keys = [match.fromKey, match.toKey];
    const unlocked = keys.filter((key) => input.unchecked?.has(key));
    // A denial read without a lock is checked too: a revocation or an event may have granted or
    // denied meanwhile. A match that stays denied joins nothing and needs no lock.
    for (const key of unlocked) check.add(key);
    if (deniedEnd(input, match)) continue;
    consider(keys);
    // Both ends in one person, one of them read without a lock: that person is locked too, so a
    // split (rescoring, a revocation, a manual split) cannot part them before the link is written.
    const person = personOf.get(match.fromKey);
    if (unlocked.length > 0 && person != null && person === personOf.get(match.toKey))
      toLock.add(person);
  }
  const persons = new Map<string, PlanPerson>();
  const personElementId = new Map<string, string>();
  if (toLock.size > 0 || check.size > 0) {
    const [locked] = await tx.run<{
      persons: [string, string, number, string, string[], [string, string][]][];
      checks: [string, string | null, boolean][];
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
    // A candidate's anchor that moved, or whose identity_linking consent changed, between the
    // unlocked read and the locks: read again.
    for (const [key, personId, denied] of locked.checks)
      if (personId !== personOf.get(key) || denied !== (input.denied?.has(key) ?? false))
        throw new StaleResolutionError();
  }
  return { persons, personElementId };
}

/** A link as the better-match reads answer it: [id, from key, to key, method, confidence]. */
type LinkTuple = [string, string, string, string, number];

const heldLink = ([id, fromKey, toKey, method, confidence]: LinkTuple) => ({
  id,
  fromKey,
  toKey,
  method,
  confidence,
});

/**
 * Plans, and while the plan refuses a probabilistic match that withdrawing weaker links would let
 * join, reads under their persons' locks the links at such matches (read/anchor-links) and, where
 * a less probable probabilistic link holds one, its whole person (read/person-link-graph), and
 * plans again with those links withdrawn. Each pass but the last withdraws at least one link, so
 * it ends.
 */
async function planBetterMatches(
  tx: GraphTx,
  start: BetterMatchState,
): Promise<{ plan: ResolutionPlan; state: BetterMatchState }> {
  let state = start;
  let plan = planResolution(state.input);
  for (;;) {
    const keys = keysToRead(state, plan);
    if (keys.length > 0) {
      const rows = await tx.run<{ key: string; links: LinkTuple[] }>('read/anchor-links', {
        keys,
      });
      addIncident(
        state,
        rows.map((r) => ({ key: r.key, links: r.links.map(heldLink) })),
      );
    }
    const toRead = personsToRead(state, plan);
    if (toRead.length > 0) {
      const rows = await tx.run<{
        id: string;
        createdAt: number;
        identifiers: [string, string, string, number][];
        cannotLink: [string, string][];
        links: LinkTuple[];
      }>('read/person-link-graph', { personIds: toRead });
      if (rows.length !== toRead.length) throw new StaleResolutionError();
      addHeld(
        state,
        rows.map((r): HeldPerson => ({
          id: r.id,
          createdAt: r.createdAt,
          identifiers: r.identifiers.map(([key, elementId, type, createdAt]) => ({
            key,
            elementId,
            type,
            createdAt,
          })),
          cannotLink: r.cannotLink,
          links: r.links.map(heldLink),
        })),
      );
    }
    const pass = preferBetterMatches(state, plan);
    if (!pass.changed) return { plan, state };
    ({ state, plan } = pass);
  }
}

/**
 * Writes what {@link planBetterMatches} decided before the plan: the weaker links withdrawn
 * (write/withdraw-links, audited) and their persons split (write/split-person, audited; the new
 * persons join `personElementId`), then checks that no active link crosses the new persons (the
 * links were read under the persons' locks, not the identifiers'). Returns the ids the better
 * matches' links get when this transaction creates them: the audit records name them.
 */
async function withdrawForBetterMatches(
  tx: GraphTx,
  state: BetterMatchState,
  input: Pick<PlanInput, 'jobId' | 'at'>,
  personElementId: Map<string, string>,
): Promise<Map<string, string>> {
  const presetLinkIds = new Map<string, string>();
  if (state.withdrawals.length === 0) return presetLinkIds;
  const rows = state.withdrawals.map((w) => {
    const pair = `${w.better.fromKey}\u0000${w.better.toKey}`;
    let linkId = presetLinkIds.get(pair);
    if (linkId === undefined) presetLinkIds.set(pair, (linkId = newId('lnk')));
    return [
      w.link.fromKey,
      w.link.toKey,
      w.personId,
      w.better.fromKey,
      w.better.toKey,
      linkId,
      w.better.confidence,
      newId('aud'),
    ];
  });
  const [answer] = await tx.run<{ withdrawn: number }>('write/withdraw-links', {
    rows,
    now: input.at,
    jobId: input.jobId,
  });
  if (answer?.withdrawn !== rows.length) throw new StaleResolutionError();
  const [written] = await tx.run<{ persons: [string, string][] }>('write/split-person', {
    reason: 'better_match',
    now: input.at,
    splits: splitsOf(state).map((s) => ({ ...s, auditId: newId('aud') })),
  });
  const split: string[] = [];
  for (const [id, elementId] of written?.persons ?? []) {
    personElementId.set(id, elementId);
    split.push(id);
  }
  const [check] = await tx.run<{ crossing: number }>('read/split-crossings', {
    personIds: split,
  });
  if ((check?.crossing ?? 0) > 0) throw new StaleResolutionError();
  return presetLinkIds;
}

/**
 * The parameters of write/apply-plan. Identifiers and grown persons are addressed by the element
 * ids the earlier statements returned: no second index lookup (and index lock) per row.
 */
function planParams(
  plan: ResolutionPlan,
  deps: PlanWriterDeps,
  ctx: {
    jobId: string;
    at: number;
    elementIdOf: ReadonlyMap<string, string>;
    personOf: ReadonlyMap<string, string | null>;
    personElementId: ReadonlyMap<string, string>;
    reviews: readonly ReviewRow[];
    /** Ids for links of these pairs (`from\u0000to`), when the plan creates them. */
    presetLinkIds: ReadonlyMap<string, string>;
    /** The competing link of each refused probabilistic match, by pair. */
    competing: ReadonlyMap<
      string,
      { fromKey: string; toKey: string; confidence: number; linkId: string | null }
    >;
    model: FellegiSunterModel | undefined;
  },
) {
  const node = (key: string) => {
    const id = ctx.elementIdOf.get(key);
    if (id === undefined)
      throw new Error('resolver: the plan names an identifier the batch did not lock');
    return id;
  };
  const linkIds = new Map(
    plan.links.map((l) => {
      const pair = `${l.fromKey}\u0000${l.toKey}`;
      return [pair, ctx.presetLinkIds.get(pair) ?? newId('lnk')];
    }),
  );
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
    model: scored && ctx.model ? modelParameter(ctx.model) : null,
    rows: {
      reviews: ctx.reviews,
      created: [...created.values()],
      grown: [...grown.values()],
      absorbed: plan.absorbed,
      refusals: plan.refusals.map(({ competing: _, ...r }) => {
        const competing = ctx.competing.get(`${r.fromKey}\u0000${r.toKey}`);
        return {
          ...r,
          id: newId('aud'),
          linkId: linkId(r.fromKey, r.toKey),
          competingFrom: competing?.fromKey ?? null,
          competingTo: competing?.toKey ?? null,
          competingLinkId: competing
            ? (competing.linkId ??
              linkIds.get(`${competing.fromKey}\u0000${competing.toKey}`) ??
              null)
            : null,
          competingConfidence: competing?.confidence ?? null,
        };
      }),
      newLinks,
      links,
      merges: plan.merges.map((m) => ({ ...m, id: newId('aud') })),
    },
  };
}
