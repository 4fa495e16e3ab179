/**
 * Deterministic linking decisions for one batch, as a pure function of the graph state read under
 * lock. The resolver reads identifier -> person and each person's per-type counts, calls
 * {@link planResolution}, and writes the plan back in the same transaction.
 *
 * Invariants the plan keeps:
 * - persons are the connected components of active links: both ends of an active link end in one person;
 * - when two persons join, the older survives (createdAt, then id) and the other is absorbed;
 * - a join that would give a person more identifiers of a type than its limit allows is refused:
 *   the link is kept with status `refused` as evidence, and the persons stay apart;
 * - a join that would put two identifiers under a no-match constraint (a review decision) into one
 *   person is refused the same way, whatever the rule;
 * - an event links none of its identifiers when its consent refuses identity_linking, and not those
 *   whose identity_linking consent is denied (`unlinked`): they keep or get a person of their own;
 * - probabilistic and manual matches (`matches`) join persons exactly as co-occurrence does, after
 *   the batch's events, strongest first (decided ones, then by descending probability): a record
 *   joins its most probable candidate, and a limit or constraint refuses the worse ones;
 * - an event links each identifier it may link to its anchor, the first of them by key (one link
 *   per identifier, {@link linkEvent}), with the partition linking every pair would give;
 * - events are applied in (occurredAt, key) order and identifiers in key order, so the same batch
 *   always yields the same plan, whichever worker runs it.
 */

import { addEvidence, compareByStrength, compareEvents, type Evidence } from './plan-evidence.js';

export interface PlanIdentifier {
  key: string;
  type: string;
}

export interface PlanEvent {
  key: string;
  source: string;
  occurredAt: number;
  /** Distinct identifiers of the event, sorted by key. */
  identifiers: readonly PlanIdentifier[];
  /** False when the event's consent refuses identity_linking: identifiers are recorded, not linked. */
  linking: boolean;
  /**
   * Keys of the event's identifiers whose identity_linking consent is denied when the event
   * applies (src/consent/): each still gets its person, but this event links it to nothing.
   */
  unlinked?: readonly string[];
  /** Purposes the event's consent grants. */
  purposes: readonly string[];
  /** The source's confidence that the event's identifiers belong together (1 for plain co-occurrence). */
  confidence: number;
}

export interface PlanPerson {
  id: string;
  createdAt: number;
  /** Identifiers per limited type. */
  counts: Readonly<Record<string, number>>;
  /** No-match constraints on the person's identifiers: [own identifier key, other identifier key]. */
  cannotLink?: readonly (readonly [string, string])[];
}

export type LinkMethod = 'deterministic' | 'probabilistic' | 'manual';

/** Evidence that two identifiers belong together other than co-occurrence in one event. */
export interface PlanMatch {
  fromKey: string;
  toKey: string;
  method: Exclude<LinkMethod, 'deterministic'>;
  rule: string;
  confidence: number;
  source: string;
  occurredAt: number;
  eventKey: string;
  purposes: readonly string[];
  modelVersion: string | null;
  /** JSON: the comparison vector and weights (no attribute values). */
  explanation: string | null;
  /** Keys of the two records compared. */
  records: readonly string[] | null;
}

export interface PlanInput {
  events: readonly PlanEvent[];
  /**
   * Applied after the events, strongest first ({@link compareByStrength}), whatever order they are
   * given in. Every identifier named must be in personOf.
   */
  matches?: readonly PlanMatch[];
  /** Current person of every identifier in the batch (null: the identifier is new). */
  personOf: ReadonlyMap<string, string | null>;
  persons: ReadonlyMap<string, PlanPerson>;
  limits: Readonly<Record<string, number>>;
  now: number;
  newPersonId: () => string;
}

export const DETERMINISTIC_RULE = 'same_event';

export interface LinkUpsert {
  fromKey: string;
  toKey: string;
  status: 'active' | 'refused';
  method: LinkMethod;
  rule: string;
  modelVersion: string | null;
  explanation: string | null;
  records: string[] | null;
  confidence: number;
  sources: string[];
  firstSeen: number;
  lastSeen: number;
  eventKeys: string[];
  purposes: string[];
}

export interface PersonMerge {
  survivorId: string;
  absorbedId: string;
  eventKey: string;
  fromKey: string;
  toKey: string;
  rule: string;
  confidence: number;
}

export interface MergeRefusal {
  personIds: [string, string];
  eventKey: string;
  fromKey: string;
  toKey: string;
  method: LinkMethod;
  rule: string;
  confidence: number;
  reason: 'limit_exceeded' | 'no_match_decision';
  identifierType: string | null;
  limit: number | null;
  wouldHave: number | null;
  /**
   * For a refused probabilistic match: the most probable probabilistic link the plan joined at
   * either end (the match that won over this one), when there is one.
   */
  competing: { fromKey: string; toKey: string; confidence: number } | null;
}

export interface ResolutionPlan {
  newPersons: { id: string; createdAt: number }[];
  /** Identifiers without a person that now get one. */
  attach: { key: string; personId: string }[];
  /** Step-by-step merges, in the order they happened (for the audit trail). */
  merges: PersonMerge[];
  /** Each absorbed person and the person it finally resolves to after the whole batch. */
  absorbed: { absorbedId: string; survivorId: string }[];
  links: LinkUpsert[];
  refusals: MergeRefusal[];
  /** Final person of every identifier of the batch. */
  personOf: Map<string, string>;
}

interface Component {
  /** Oldest persisted person in the component; null while it holds only new identifiers. */
  person: PlanPerson | null;
  /** False for a person the caller did not lock and read: joining it to anything is a caller bug. */
  known: boolean;
  counts: Record<string, number>;
  /** Constrained identifiers in the component, and the identifiers they must never join. */
  constrained: Set<string>;
  forbidden: Set<string>;
}

const older = (a: PlanPerson, b: PlanPerson) =>
  a.createdAt < b.createdAt || (a.createdAt === b.createdAt && a.id < b.id);

export function planResolution(input: PlanInput): ResolutionPlan {
  // Union-find over nodes: `p:<id>` for persisted persons, `i:<key>` for new identifiers.
  const parent = new Map<string, string>();
  const component = new Map<string, Component>();
  const find = (node: string): string => {
    let root = node;
    while (parent.get(root) !== root) root = parent.get(root)!;
    let cursor = node;
    while (cursor !== root) {
      const next = parent.get(cursor)!;
      parent.set(cursor, root);
      cursor = next;
    }
    return root;
  };
  const s: Planning = {
    input,
    parent,
    component,
    find,
    nodeOf: new Map(),
    links: new Map(),
    strongest: new Map(),
    merges: [],
    refusals: [],
  };
  for (const event of input.events)
    for (const identifier of event.identifiers) addIdentifier(s, identifier.key, identifier.type);
  for (const match of input.matches ?? []) {
    addIdentifier(s, match.fromKey, undefined);
    addIdentifier(s, match.toKey, undefined);
  }

  const events = [...input.events].sort(compareEvents);
  for (const event of events) {
    if (!event.linking) continue;
    const { unlinked } = event;
    const ids =
      unlinked === undefined
        ? event.identifiers
        : event.identifiers.filter((i) => !unlinked.includes(i.key));
    const evidence: Evidence = {
      method: 'deterministic',
      rule: DETERMINISTIC_RULE,
      confidence: event.confidence,
      source: event.source,
      occurredAt: event.occurredAt,
      eventKey: event.key,
      purposes: event.purposes,
      modelVersion: null,
      explanation: null,
      records: null,
    };
    linkEvent(s, ids, evidence);
  }
  // In a fixed order, whatever order the candidates were read and scored in: which join a limit
  // refuses, and which evidence a link keeps, must not depend on it. Strongest first, so that of
  // the matches that cannot all join, the most probable does.
  for (const match of [...(input.matches ?? [])].sort(compareByStrength)) {
    if (match.fromKey === match.toKey) continue;
    join(s, match.fromKey, match.toKey, match);
  }
  return finalPlan(s);
}

/**
 * A plan in the making: the union-find over persons and new identifiers, with each root's
 * component, and the links, merges and refusals made so far.
 */
interface Planning {
  input: PlanInput;
  parent: Map<string, string>;
  component: Map<string, Component>;
  /** The root of a node's set (compressing the path to it). */
  find: (node: string) => string;
  /** Identifier key -> its node. */
  nodeOf: Map<string, string>;
  /** By pair (`from\u0000to`). */
  links: Map<string, LinkUpsert>;
  /** Per identifier key, the most probable probabilistic link joined at it so far. */
  strongest: Map<string, LinkUpsert>;
  merges: PersonMerge[];
  refusals: MergeRefusal[];
}

function addIdentifier(s: Planning, key: string, type: string | undefined): void {
  const { input, parent, component, nodeOf } = s;
  if (nodeOf.has(key)) return;
  const personId = input.personOf.get(key) ?? null;
  if (personId === null && type === undefined)
    throw new Error('planResolution: a match names an identifier that is neither new nor known');
  const node = personId === null ? `i:${key}` : `p:${personId}`;
  nodeOf.set(key, node);
  if (parent.has(node)) return;
  parent.set(node, node);
  if (personId === null) {
    component.set(node, {
      person: null,
      known: true,
      counts: type! in input.limits ? { [type!]: 1 } : {},
      constrained: new Set(),
      forbidden: new Set(),
    });
    return;
  }
  const person = input.persons.get(personId);
  if (!person) {
    // Not read under lock: the caller saw no evidence that could join it to anything else.
    component.set(node, {
      person: { id: personId, createdAt: 0, counts: {} },
      known: false,
      counts: {},
      constrained: new Set(),
      forbidden: new Set(),
    });
    return;
  }
  const c: Component = {
    person,
    known: true,
    counts: { ...person.counts },
    constrained: new Set(),
    forbidden: new Set(),
  };
  for (const [own, other] of person.cannotLink ?? []) {
    c.constrained.add(own);
    c.forbidden.add(other);
  }
  component.set(node, c);
}

/**
 * Links an event's identifiers (sorted by key, those it may link) to its anchor, the first: one
 * link each, not one per pair, with the partition joining every pair in key order gives. That
 * order tries the anchor's pairs first, and a join refused then stays refused against the
 * anchor's person (counts and constraints only grow), so only the refused identifiers can still
 * join, among themselves: to the first of them, and so on. Refusals are recorded against the
 * event's anchor only; later rounds write only their joins, within 2n links per event.
 */
function linkEvent(s: Planning, ids: readonly PlanIdentifier[], evidence: Evidence): void {
  let remaining = ids;
  for (let round = 0; remaining.length > 1; round++) {
    const [anchor, ...rest] = remaining;
    remaining = rest.filter((id) => !join(s, anchor!.key, id.key, evidence, round === 0));
  }
}

/** Adds evidence to a pair, joining its persons unless refused; true when they end as one. */
function join(
  s: Planning,
  fromKey: string,
  toKey: string,
  evidence: Evidence,
  recordRefusal = true,
): boolean {
  const { links, component, nodeOf } = s;
  const [from, to] = fromKey < toKey ? [fromKey, toKey] : [toKey, fromKey];
  const pair = `${from}\u0000${to}`;
  const a = s.find(nodeOf.get(from)!);
  const b = s.find(nodeOf.get(to)!);
  const ca = component.get(a)!;
  const cb = component.get(b)!;
  if (a !== b && (!ca.known || !cb.known))
    throw new Error('planResolution: a person that may merge was not locked and read');
  const breach = a === b ? undefined : limitBreach(ca.counts, cb.counts, s.input.limits);
  const forbidden = a !== b && !breach && constraintBreach(ca, cb);
  if ((breach || forbidden) && !recordRefusal) return false;
  let link = links.get(pair);
  if (!link) {
    link = {
      fromKey: from,
      toKey: to,
      status: 'active',
      method: evidence.method,
      rule: evidence.rule,
      modelVersion: null,
      explanation: null,
      records: null,
      confidence: evidence.confidence,
      sources: [],
      firstSeen: evidence.occurredAt,
      lastSeen: evidence.occurredAt,
      eventKeys: [],
      purposes: [],
    };
    links.set(pair, link);
  }
  addEvidence(link, evidence);

  if (a === b) {
    link.status = 'active';
    if (evidence.method === 'probabilistic') holds(s, link);
    return true;
  }
  if (breach || forbidden) {
    // A later piece of evidence may still join the two through another path; the link itself
    // stays refused unless its own ends end up in one person (checked below).
    link.status = 'refused';
    const competing =
      evidence.method === 'probabilistic'
        ? strongerOf(s.strongest.get(from), s.strongest.get(to))
        : undefined;
    s.refusals.push({
      personIds: ['', ''],
      eventKey: evidence.eventKey,
      fromKey: from,
      toKey: to,
      method: evidence.method,
      rule: evidence.rule,
      confidence: link.confidence,
      reason: breach ? 'limit_exceeded' : 'no_match_decision',
      identifierType: breach?.type ?? null,
      limit: breach?.limit ?? null,
      wouldHave: breach?.count ?? null,
      competing: competing
        ? { fromKey: competing.fromKey, toKey: competing.toKey, confidence: competing.confidence }
        : null,
    });
    return false;
  }
  link.status = 'active';
  if (evidence.method === 'probabilistic') holds(s, link);
  // Keep the older persisted person as the root; a component of new identifiers joins anything.
  const [root, child] =
    ca.person && (!cb.person || older(ca.person, cb.person)) ? [a, b] : cb.person ? [b, a] : [a, b];
  const rootC = component.get(root)!;
  const childC = component.get(child)!;
  if (rootC.person && childC.person) {
    s.merges.push({
      survivorId: rootC.person.id,
      absorbedId: childC.person.id,
      eventKey: evidence.eventKey,
      fromKey: from,
      toKey: to,
      rule: evidence.rule,
      confidence: link.confidence,
    });
  }
  s.parent.set(child, root);
  for (const [type, n] of Object.entries(childC.counts))
    rootC.counts[type] = (rootC.counts[type] ?? 0) + n;
  for (const key of childC.constrained) rootC.constrained.add(key);
  for (const key of childC.forbidden) rootC.forbidden.add(key);
  component.delete(child);
  return true;
}

/** Gives each component its final person id, and the plan its final shape. */
function finalPlan(s: Planning): ResolutionPlan {
  const { input, component, nodeOf, merges, refusals } = s;
  const finalId = new Map<string, string>();
  const newPersons: { id: string; createdAt: number }[] = [];
  const idOfRoot = (root: string): string => {
    let id = finalId.get(root);
    if (id === undefined) {
      const c = component.get(root)!;
      if (c.person) id = c.person.id;
      else {
        id = input.newPersonId();
        newPersons.push({ id, createdAt: input.now });
      }
      finalId.set(root, id);
    }
    return id;
  };

  const personOf = new Map<string, string>();
  const attach: { key: string; personId: string }[] = [];
  // Sorted so that new person ids are handed out in a stable order.
  for (const key of [...nodeOf.keys()].sort()) {
    const node = nodeOf.get(key)!;
    const id = idOfRoot(s.find(node));
    personOf.set(key, id);
    if (node.startsWith('i:')) attach.push({ key, personId: id });
  }

  const absorbed: { absorbedId: string; survivorId: string }[] = [];
  for (const merge of merges)
    absorbed.push({
      absorbedId: merge.absorbedId,
      survivorId: idOfRoot(s.find(`p:${merge.absorbedId}`)),
    });

  // Counts only grow within a batch, so two components kept apart by a limit never join later:
  // a refused pair stays in two persons, and its record can name both final ids.
  const finalRefusals = refusals.map((r) => ({
    ...r,
    personIds: [personOf.get(r.fromKey)!, personOf.get(r.toKey)!].sort() as [string, string],
  }));

  return {
    newPersons,
    attach,
    merges,
    absorbed,
    links: [...s.links.values()],
    refusals: finalRefusals,
    personOf,
  };
}

/** Records an active probabilistic link as the strongest at its ends where it is. */
function holds(s: Planning, link: LinkUpsert): void {
  for (const key of [link.fromKey, link.toKey])
    s.strongest.set(key, strongerOf(s.strongest.get(key), link)!);
}

function strongerOf(a: LinkUpsert | undefined, b: LinkUpsert | undefined): LinkUpsert | undefined {
  if (!a || !b) return a ?? b;
  return b.confidence > a.confidence ? b : a;
}

/** True when joining the two components would put a no-match pair into one person. */
function constraintBreach(a: Component, b: Component): boolean {
  if (a.forbidden.size === 0 && b.forbidden.size === 0) return false;
  for (const key of a.forbidden) if (b.constrained.has(key)) return true;
  for (const key of b.forbidden) if (a.constrained.has(key)) return true;
  return false;
}

function limitBreach(
  a: Readonly<Record<string, number>>,
  b: Readonly<Record<string, number>>,
  limits: Readonly<Record<string, number>>,
): { type: string; limit: number; count: number } | undefined {
  for (const type of Object.keys(limits).sort()) {
    const count = (a[type] ?? 0) + (b[type] ?? 0);
    if (count > limits[type]!) return { type, limit: limits[type]!, count };
  }
  return undefined;
}
