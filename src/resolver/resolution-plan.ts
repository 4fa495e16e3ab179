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
 * - events are applied in (occurredAt, key) order and pairs in key order, so the same batch always
 *   yields the same plan, whichever worker runs it.
 */

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
}

export interface PlanInput {
  events: readonly PlanEvent[];
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
  method: 'deterministic';
  rule: string;
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
  rule: string;
  confidence: number;
  identifierType: string;
  limit: number;
  wouldHave: number;
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
}

const older = (a: PlanPerson, b: PlanPerson) =>
  a.createdAt < b.createdAt || (a.createdAt === b.createdAt && a.id < b.id);

export function compareEvents(a: PlanEvent, b: PlanEvent): number {
  return a.occurredAt - b.occurredAt || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
}

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
  const nodeOf = new Map<string, string>();
  for (const event of input.events) {
    for (const identifier of event.identifiers) {
      if (nodeOf.has(identifier.key)) continue;
      const personId = input.personOf.get(identifier.key) ?? null;
      const node = personId === null ? `i:${identifier.key}` : `p:${personId}`;
      nodeOf.set(identifier.key, node);
      if (!parent.has(node)) {
        parent.set(node, node);
        const person = personId === null ? undefined : input.persons.get(personId);
        component.set(
          node,
          personId === null
            ? {
                person: null,
                known: true,
                counts: identifier.type in input.limits ? { [identifier.type]: 1 } : {},
              }
            : person
              ? { person, known: true, counts: { ...person.counts } }
              : // Not read under lock: the caller saw no event that could join it to anything else.
                { person: { id: personId, createdAt: 0, counts: {} }, known: false, counts: {} },
        );
      }
    }
  }

  const links = new Map<string, LinkUpsert>();
  const merges: PersonMerge[] = [];
  const refusals: MergeRefusal[] = [];

  const events = [...input.events].sort(compareEvents);
  for (const event of events) {
    if (!event.linking) continue;
    const ids = event.identifiers;
    for (let i = 0; i < ids.length; i++) {
      for (let j = i + 1; j < ids.length; j++) {
        const [from, to] = ids[i]!.key < ids[j]!.key ? [ids[i]!, ids[j]!] : [ids[j]!, ids[i]!];
        const pair = `${from.key}\u0000${to.key}`;
        let link = links.get(pair);
        if (!link) {
          link = {
            fromKey: from.key,
            toKey: to.key,
            status: 'active',
            method: 'deterministic',
            rule: DETERMINISTIC_RULE,
            confidence: event.confidence,
            sources: [],
            firstSeen: event.occurredAt,
            lastSeen: event.occurredAt,
            eventKeys: [],
            purposes: [],
          };
          links.set(pair, link);
        }
        addEvidence(link, event);

        const a = find(nodeOf.get(from.key)!);
        const b = find(nodeOf.get(to.key)!);
        if (a === b) {
          link.status = 'active';
          continue;
        }
        const ca = component.get(a)!;
        const cb = component.get(b)!;
        if (!ca.known || !cb.known)
          throw new Error('planResolution: a person that may merge was not locked and read');
        const breach = limitBreach(ca.counts, cb.counts, input.limits);
        if (breach) {
          // A later event of the batch may still join the two through another path; the link
          // itself stays refused unless its own ends end up in one person (checked below).
          link.status = 'refused';
          refusals.push({
            personIds: ['', ''],
            eventKey: event.key,
            fromKey: from.key,
            toKey: to.key,
            rule: DETERMINISTIC_RULE,
            confidence: link.confidence,
            identifierType: breach.type,
            limit: breach.limit,
            wouldHave: breach.count,
          });
          continue;
        }
        link.status = 'active';
        // Keep the older persisted person as the root; a component of new identifiers joins anything.
        const [root, child] =
          ca.person && (!cb.person || older(ca.person, cb.person))
            ? [a, b]
            : cb.person
              ? [b, a]
              : [a, b];
        const rootC = component.get(root)!;
        const childC = component.get(child)!;
        if (rootC.person && childC.person) {
          merges.push({
            survivorId: rootC.person.id,
            absorbedId: childC.person.id,
            eventKey: event.key,
            fromKey: from.key,
            toKey: to.key,
            rule: DETERMINISTIC_RULE,
            confidence: link.confidence,
          });
        }
        parent.set(child, root);
        for (const [type, n] of Object.entries(childC.counts))
          rootC.counts[type] = (rootC.counts[type] ?? 0) + n;
        component.delete(child);
      }
    }
  }

  // Give each component its final person id.
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
    const id = idOfRoot(find(node));
    personOf.set(key, id);
    if (node.startsWith('i:')) attach.push({ key, personId: id });
  }

  const absorbed: { absorbedId: string; survivorId: string }[] = [];
  for (const merge of merges)
    absorbed.push({
      absorbedId: merge.absorbedId,
      survivorId: idOfRoot(find(`p:${merge.absorbedId}`)),
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
    links: [...links.values()],
    refusals: finalRefusals,
    personOf,
  };
}

function addEvidence(link: LinkUpsert, event: PlanEvent): void {
  link.confidence = Math.max(link.confidence, event.confidence);
  if (!link.sources.includes(event.source)) link.sources.push(event.source);
  link.firstSeen = Math.min(link.firstSeen, event.occurredAt);
  link.lastSeen = Math.max(link.lastSeen, event.occurredAt);
  link.eventKeys.push(event.key);
  for (const purpose of event.purposes)
    if (!link.purposes.includes(purpose)) link.purposes.push(purpose);
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
