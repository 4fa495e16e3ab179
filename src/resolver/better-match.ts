import { linkComponents } from './person-split.js';
import {
  type MergeRefusal,
  type PlanInput,
  type PlanMatch,
  type PlanPerson,
  planResolution,
  type ResolutionPlan,
} from './resolution-plan.js';

/**
 * The best match wins across batches as it does within one. A plan applies a batch's matches
 * strongest first, so within a batch a record joins its most probable candidate; but a record
 * already joined by an earlier batch to a worse candidate would keep it, and the better match
 * would be refused (by a per-type limit or a no-match decision), making the graph depend on the
 * order batches arrived in. So when a probabilistic match is refused and either of its
 * identifiers is held in its person by probabilistic links LESS probable than the refused match,
 * those weaker links are withdrawn (when that lets the refused match join), the person is split
 * along its remaining active links, and the plan is made again: the better match joins.
 *
 * A withdrawn link that could still join after the better match (its other end breaks no limit
 * or constraint with the better match's person) is kept, as the plan would have kept it had both
 * come in one batch, strongest first: only what the better match excludes is withdrawn.
 *
 * Pure: the plan writer reads the persons under their locks (read/person-link-graph), calls
 * {@link preferBetterMatches} until a pass changes nothing, and writes the withdrawals and splits
 * before the plan.
 */

export interface HeldIdentifier {
  key: string;
  elementId: string;
  type: string;
  createdAt: number;
}

/** An active link between two identifiers of one person, directed from the smaller key. */
export interface HeldLink {
  id: string;
  fromKey: string;
  toKey: string;
  method: string;
  confidence: number;
}

/** A locked person as read/person-links reads it, or a part of one split in this transaction. */
export interface HeldPerson {
  id: string;
  createdAt: number;
  identifiers: readonly HeldIdentifier[];
  /** No-match constraints on its identifiers: [own identifier key, other identifier key]. */
  cannotLink: readonly (readonly [string, string])[];
  links: readonly HeldLink[];
}

/** A probabilistic link withdrawn for a more probable match. */
export interface Withdrawal {
  link: HeldLink;
  /** The person the link was in when read. */
  personId: string;
  /** The refused match that now joins instead (its identifiers, sorted, and probability). */
  better: { fromKey: string; toKey: string; confidence: number };
}

export interface BetterMatchState {
  /** The plan's input, with the persons split so far and every held identifier's person. */
  input: PlanInput & {
    personOf: Map<string, string | null>;
    persons: Map<string, PlanPerson>;
  };
  /** Persons read under lock, and the parts of those split, by person id. */
  held: Map<string, HeldPerson>;
  /** Person id -> the id of the person read that it is (a part of). */
  origin: Map<string, string>;
  /**
   * The active links at identifiers of refused matches, read under their persons' locks
   * (read/anchor-links): they tell which persons are worth reading whole.
   */
  incident: Map<string, readonly HeldLink[]>;
  withdrawals: Withdrawal[];
}

export function initialState(input: PlanInput): BetterMatchState {
  return {
    input: { ...input, personOf: new Map(input.personOf), persons: new Map(input.persons) },
    held: new Map(),
    origin: new Map(),
    incident: new Map(),
    withdrawals: [],
  };
}

/** Each identifier of a refused probabilistic match whose person exists, and the refused probability. */
function* refusedEnds(state: BetterMatchState, plan: ResolutionPlan) {
  for (const refusal of plan.refusals) {
    if (refusal.method !== 'probabilistic') continue;
    for (const key of [refusal.fromKey, refusal.toKey]) {
      const personId = state.input.personOf.get(key);
      if (personId) yield { key, personId, confidence: refusal.confidence };
    }
  }
}

/** Identifiers whose links to read first (read/anchor-links): those of refused probabilistic matches. */
export function keysToRead(state: BetterMatchState, plan: ResolutionPlan): string[] {
  const wanted = new Set<string>();
  for (const { key, personId } of refusedEnds(state, plan))
    if (!state.held.has(personId) && !state.incident.has(key)) wanted.add(key);
  return [...wanted].sort();
}

export function addIncident(
  state: BetterMatchState,
  rows: readonly { key: string; links: readonly HeldLink[] }[],
): void {
  for (const { key, links } of rows) state.incident.set(key, links);
}

/**
 * Persons to read whole under lock (read/person-link-graph) before {@link preferBetterMatches}:
 * those holding an identifier of a refused probabilistic match by a less probable probabilistic
 * link.
 */
export function personsToRead(state: BetterMatchState, plan: ResolutionPlan): string[] {
  const wanted = new Set<string>();
  for (const { key, personId, confidence } of refusedEnds(state, plan)) {
    if (state.held.has(personId)) continue;
    const weaker = (state.incident.get(key) ?? []).some(
      (l) => l.method === 'probabilistic' && l.confidence < confidence,
    );
    if (weaker) wanted.add(personId);
  }
  return [...wanted].sort();
}

/** Adds persons read under lock to the state; each identifier's person joins personOf. */
export function addHeld(state: BetterMatchState, persons: readonly HeldPerson[]): void {
  for (const person of persons) {
    state.held.set(person.id, person);
    state.origin.set(person.id, person.id);
    for (const i of person.identifiers) state.input.personOf.set(i.key, person.id);
  }
}

/**
 * One pass over the refused probabilistic matches of `plan`, strongest first: each one still
 * refused that withdrawing weaker links at one of its identifiers lets join is applied (those
 * links withdrawn, their person split, the plan made again). Returns the state and plan after the
 * pass, `changed` when anything was withdrawn; persons not read yet are skipped (read them and
 * pass again).
 */
export function preferBetterMatches(
  state: BetterMatchState,
  plan: ResolutionPlan,
): { state: BetterMatchState; plan: ResolutionPlan; changed: boolean } {
  let current = { state, plan };
  let changed = false;
  for (const refusal of plan.refusals) {
    if (refusal.method !== 'probabilistic') continue;
    if (changed && !refused(current.plan, refusal.fromKey, refusal.toKey)) continue;
    for (const end of [refusal.fromKey, refusal.toKey]) {
      const next = withdrawWeakerAt(current.state, refusal, end);
      if (!next) continue;
      current = next;
      changed = true;
      break;
    }
  }
  return { ...current, changed };
}

const pairOf = (from: string, to: string) => `${from}\u0000${to}`;

const statusOf = (plan: ResolutionPlan, from: string, to: string) =>
  plan.links.find((l) => l.fromKey === from && l.toKey === to)?.status;
const joins = (plan: ResolutionPlan, from: string, to: string) =>
  statusOf(plan, from, to) === 'active';
const refused = (plan: ResolutionPlan, from: string, to: string) =>
  statusOf(plan, from, to) === 'refused';

function withdrawWeakerAt(
  state: BetterMatchState,
  refusal: MergeRefusal,
  end: string,
): { state: BetterMatchState; plan: ResolutionPlan } | undefined {
  const personId = state.input.personOf.get(end);
  const person = personId ? state.held.get(personId) : undefined;
  if (!person) return undefined;
  const weaker = person.links.filter(
    (l) =>
      l.method === 'probabilistic' &&
      l.confidence < refusal.confidence &&
      (l.fromKey === end || l.toKey === end),
  );
  if (weaker.length === 0) return undefined;
  const weak = new Set(weaker.map((l) => l.id));
  const kept = person.links.filter((l) => !weak.has(l.id));
  const first = partsOf(person, kept);
  if (first.length < 2) return undefined;
  const crossing = weaker.filter((l) => crosses(first, l));

  // Proposed again after the better match, by probability, the crossing links that can still join
  // stay: as if all had come in one batch.
  const trial = split(state, person, first, crossing, refusal);
  const trialPlan = planResolution({
    ...trial.input,
    matches: [...(trial.input.matches ?? []), ...crossing.map(proposal)],
  });
  if (!joins(trialPlan, refusal.fromKey, refusal.toKey)) return undefined;
  const stays = crossing.filter((l) => joins(trialPlan, l.fromKey, l.toKey));
  if (stays.length === 0) return confirmed(trial, refusal);
  const parts = partsOf(person, [...kept, ...stays]);
  if (parts.length < 2) return undefined;
  const withdrawn = crossing.filter((l) => !stays.includes(l) && crosses(parts, l));
  return confirmed(split(state, person, parts, withdrawn, refusal), refusal);
}

/** The state and its plan, when the refused match joins in it. */
function confirmed(
  state: BetterMatchState,
  refusal: MergeRefusal,
): { state: BetterMatchState; plan: ResolutionPlan } | undefined {
  const plan = planResolution(state.input);
  return joins(plan, refusal.fromKey, refusal.toKey) ? { state, plan } : undefined;
}

/** A withdrawn link proposed again as the match it was (only ever planned, never written). */
function proposal(link: HeldLink): PlanMatch {
  return {
    fromKey: link.fromKey,
    toKey: link.toKey,
    method: 'probabilistic',
    rule: 'held_link',
    confidence: link.confidence,
    source: '',
    occurredAt: 0,
    eventKey: link.id,
    purposes: [],
    modelVersion: null,
    explanation: null,
    records: null,
  };
}

/** The person's identifier keys by part, the part holding its oldest identifier first. */
function partsOf(person: HeldPerson, links: readonly HeldLink[]): string[][] {
  const oldest = [...person.identifiers].sort(
    (a, b) => a.createdAt - b.createdAt || (a.key < b.key ? -1 : 1),
  )[0]!.key;
  return linkComponents(
    person.identifiers.map((i) => i.key),
    links.map((l) => [l.fromKey, l.toKey] as const),
    oldest,
  );
}

function crosses(parts: readonly string[][], link: HeldLink): boolean {
  const part = parts.find((p) => p.includes(link.fromKey));
  return !part?.includes(link.toKey);
}

/**
 * The state with `person` split into `parts` (the first keeps its id, the others are new persons
 * created now) and `withdrawn` recorded.
 */
function split(
  state: BetterMatchState,
  person: HeldPerson,
  parts: readonly string[][],
  withdrawn: readonly HeldLink[],
  refusal: MergeRefusal,
): BetterMatchState {
  const { input } = state;
  const personOf = new Map(input.personOf);
  const persons = new Map(input.persons);
  const held = new Map(state.held);
  const origin = new Map(state.origin);
  const from = origin.get(person.id)!;
  const limited = new Set(Object.keys(input.limits));
  const gone = new Set(withdrawn.map((l) => l.id));
  parts.forEach((keys, n) => {
    const id = n === 0 ? person.id : input.newPersonId();
    const createdAt = n === 0 ? person.createdAt : input.now;
    const inPart = new Set(keys);
    const identifiers = person.identifiers.filter((i) => inPart.has(i.key));
    const cannotLink = person.cannotLink.filter(([own]) => inPart.has(own));
    const counts: Record<string, number> = {};
    for (const { type } of identifiers)
      if (limited.has(type)) counts[type] = (counts[type] ?? 0) + 1;
    const planned: PlanPerson = { id, createdAt, counts, cannotLink };
    persons.set(id, planned);
    held.set(id, {
      id,
      createdAt,
      identifiers,
      cannotLink,
      links: person.links.filter((l) => !gone.has(l.id) && inPart.has(l.fromKey)),
    });
    origin.set(id, from);
    for (const key of keys) personOf.set(key, id);
  });
  const better = {
    fromKey: refusal.fromKey,
    toKey: refusal.toKey,
    confidence: refusal.confidence,
  };
  return {
    input: { ...input, personOf, persons },
    held,
    origin,
    incident: state.incident,
    withdrawals: [
      ...state.withdrawals,
      ...withdrawn.map((link) => ({ link, personId: from, better })),
    ],
  };
}

/**
 * The persons read that were split: per person read, its parts other than the one that kept its
 * id (new persons), with their identifiers' element ids, and the links withdrawn from it.
 */
export function splitsOf(
  state: BetterMatchState,
): { personId: string; parts: [string, string[]][]; linkIds: string[] }[] {
  const splits = new Map<
    string,
    { personId: string; parts: [string, string[]][]; linkIds: string[] }
  >();
  for (const w of state.withdrawals) {
    const entry = splits.get(w.personId) ?? { personId: w.personId, parts: [], linkIds: [] };
    entry.linkIds.push(w.link.id);
    splits.set(w.personId, entry);
  }
  for (const [id, person] of state.held) {
    const from = state.origin.get(id)!;
    if (id === from) continue;
    splits.get(from)!.parts.push([id, person.identifiers.map((i) => i.elementId)]);
  }
  return [...splits.values()].filter((s) => s.parts.length > 0);
}

/**
 * For each refused probabilistic match, the competing link: the most probable probabilistic link
 * at either of its identifiers, in the plan or among the active links read (the graph's id where
 * it has one). Keyed by the refused pair.
 */
export function competingLinks(
  state: BetterMatchState,
  plan: ResolutionPlan,
): Map<string, { fromKey: string; toKey: string; confidence: number; linkId: string | null }> {
  const competing = new Map<
    string,
    { fromKey: string; toKey: string; confidence: number; linkId: string | null }
  >();
  for (const refusal of plan.refusals) {
    if (refusal.method !== 'probabilistic') continue;
    let best = refusal.competing ? { ...refusal.competing, linkId: null as string | null } : null;
    for (const key of [refusal.fromKey, refusal.toKey]) {
      const personId = state.input.personOf.get(key);
      const person = personId ? state.held.get(personId) : undefined;
      for (const l of person?.links ?? state.incident.get(key) ?? []) {
        if (l.method !== 'probabilistic' || (l.fromKey !== key && l.toKey !== key)) continue;
        if (!best || l.confidence > best.confidence)
          best = { fromKey: l.fromKey, toKey: l.toKey, confidence: l.confidence, linkId: l.id };
      }
    }
    if (best) competing.set(pairOf(refusal.fromKey, refusal.toKey), best);
  }
  return competing;
}
