import { personConsent, type PersonConsentView } from '../consent/consent-view.js';
import { IdentifierNotFoundError, PersonNotFoundError } from '../errors.js';
import type { Graph } from '../graph/graph-client.js';
import type { IdentifierRegistry } from '../resolver/identifier-types.js';
import {
  anchorOf,
  parseScopedId,
  type Scope,
  scopedComponents,
  scopedPersonId,
  type ScopeLink,
} from './scoped-view.js';
import { createCoalescingLookup, personsByKey } from './identifier-lookup.js';
import {
  ATTRIBUTE_EVENTS,
  IDENTIFIER_LINKS,
  type IdentifierRow,
  type IdentifierView,
  isScoped,
  iso,
  type LinkRow,
  type LinkView,
  linkView,
  type PersonRow,
  type PersonView,
  provenance,
  type ReadOptions,
  type ResolveItem,
  type ResolveResult,
} from './person-views.js';

export { COALESCE_MAX_KEYS } from './identifier-lookup.js';
export type {
  IdentifierView,
  LinkView,
  PersonIdentifierView,
  PersonView,
  ReadOptions,
  ResolveItem,
  ResolveResult,
} from './person-views.js';

/**
 * Read side for downstream services: which person is this identifier, what is a person, and how
 * are its identifiers linked. Lookups normalise exactly as ingestion does.
 *
 * With a scope (`purpose`, `minConfidence`) answers cover only the part of a person reachable from
 * the asked identifier through links that qualify (see scoped-view.ts and docs/api.md).
 */

const toScopeLinks = (rows: LinkRow[]): ScopeLink[] =>
  rows.map((r) => ({
    fromKey: r.fromKey,
    toKey: r.toKey,
    status: r.link.status,
    confidence: r.link.confidence,
    purposes: r.link.purposes,
  }));

/**
 * Identifier confidence inside a set of links: its strongest incident link; 1 when alone. One pass
 * over the links for every identifier at once (a person may hold 10,000 of each).
 */
function confidencesOf(links: readonly ScopeLink[]): (key: string) => number {
  const best = new Map<string, number>();
  for (const l of links) {
    for (const key of [l.fromKey, l.toKey])
      best.set(key, Math.max(best.get(key) ?? 0, l.confidence));
  }
  return (key) => best.get(key) ?? 1;
}

/** Each identifier of a person's scoped components: its scoped person id and confidence. */
function scopedMembership(
  person: PersonRow,
  links: readonly LinkRow[],
  scope: Scope,
  into: Map<string, { personId: string; confidence: number }>,
): void {
  const scopeLinks = toScopeLinks([...links]);
  for (const component of scopedComponents(person.identifiers, scopeLinks, scope)) {
    const id = scopedPersonId(person.id, component, person.identifiers.length);
    const qualifying = scopeLinks.filter(
      (l) => component.keys.has(l.fromKey) && component.keys.has(l.toKey),
    );
    const confidenceOf = confidencesOf(qualifying);
    for (const key of component.keys)
      into.set(key, { personId: id, confidence: confidenceOf(key) });
  }
}

/** Attributes of a person's newest events; the newest value of each attribute wins. */
async function attributesOf(
  graph: Pick<Graph, 'query'>,
  personId: string,
): Promise<Record<string, unknown>> {
  const rows = await graph.query<{ payload: string }>('read/person-attributes', {
    personId,
    limit: ATTRIBUTE_EVENTS,
  });
  const attributes: Record<string, unknown> = {};
  // Newest first: the first value seen for an attribute wins.
  for (const { payload } of rows) {
    const event = JSON.parse(payload) as { attributes?: Record<string, unknown> };
    for (const [name, value] of Object.entries(event.attributes ?? {})) {
      if (value !== null && value !== undefined && !(name in attributes)) attributes[name] = value;
    }
  }
  return attributes;
}

/** One identifier with its person and links; raw values normalised as ingestion does. */
async function identifierView(
  deps: { graph: Pick<Graph, 'query'>; registry: Pick<IdentifierRegistry, 'normalize'> },
  type: string,
  value: string,
): Promise<IdentifierView> {
  const n = deps.registry.normalize(type, value);
  if (!n.ok) throw new IdentifierNotFoundError(n.reason);
  const [row] = await deps.graph.query<IdentifierRow>('read/identifier-view', {
    key: n.key,
    limit: IDENTIFIER_LINKS,
  });
  if (!row) throw new IdentifierNotFoundError();
  return {
    type: row.type,
    value: row.value,
    personId: row.personId,
    sources: row.sources,
    firstSeen: iso(row.createdAt)!,
    lastSeen: iso(row.lastSeen),
    links: row.links.map((l) => ({
      id: l.link.id,
      other: { type: l.otherType, value: l.otherValue },
      ...provenance(l.link),
    })),
  };
}

export type PersonService = ReturnType<typeof createPersonService>;

export function createPersonService(deps: {
  graph: Pick<Graph, 'query'>;
  registry: Pick<IdentifierRegistry, 'normalize'>;
}) {
  const { graph } = deps;
  const personsOf = createCoalescingLookup(graph);

  async function personRow(id: string, read: ReadOptions = {}): Promise<PersonRow> {
    const [row] = await graph.query<PersonRow>('read/person-by-id', { id }, read);
    if (!row) throw new PersonNotFoundError();
    return row;
  }

  async function linkRows(personId: string): Promise<LinkRow[]> {
    return graph.query<LinkRow>('read/person-links', { personId });
  }

  return {
    /**
     * Resolves identifiers in request order; an invalid or blocked value gets `personId: null` and a
     * reason. With a scope, each answer is the scoped person id of the identifier's scoped component.
     */
    async resolveMany(
      items: readonly ResolveItem[],
      scope: Scope = {},
      read: ReadOptions = {},
    ): Promise<ResolveResult[]> {
      const normalized = items.map((item) => deps.registry.normalize(item.type, item.value));
      const keys = [...new Set(normalized.flatMap((n) => (n.ok ? [n.key] : [])))];
      // Unscoped (the fast path), concurrent requests share one query; scoped answers read more
      // anyway, and a read that must wait for given bookmarks goes alone.
      const personOf =
        isScoped(scope) || read.bookmarks
          ? await personsByKey(graph, keys, read.bookmarks)
          : await personsOf(keys);

      const scoped = new Map<string, { personId: string; confidence: number }>();
      if (isScoped(scope)) {
        const persons = [...new Set([...personOf.values()].filter((p): p is string => p !== null))];
        for (const personId of persons) {
          const [person, links] = await Promise.all([personRow(personId), linkRows(personId)]);
          scopedMembership(person, links, scope, scoped);
        }
      }

      return items.map((item, index) => {
        const n = normalized[index]!;
        if (!n.ok) return { type: item.type, value: item.value, personId: null, reason: n.reason };
        const personId = personOf.get(n.key) ?? null;
        if (personId === null)
          return { type: item.type, value: item.value, personId: null, reason: 'not_found' };
        const view = scoped.get(n.key);
        // Deterministic membership is certain: without a scope, the answer's confidence is 1.
        return view
          ? {
              type: item.type,
              value: item.value,
              personId: view.personId,
              confidence: view.confidence,
            }
          : { type: item.type, value: item.value, personId, confidence: 1 };
      });
    },

    /**
     * A person by id, plain or scoped. A merged id answers with its survivor. With a scope, a plain
     * id answers with the scoped component of the person's oldest identifier, and a scoped id
     * (`per_…~…`) with its own component.
     */
    async getPerson(
      requestedId: string,
      scope: Scope = {},
      read: ReadOptions = {},
    ): Promise<PersonView> {
      const { personId, anchor } = parseScopedId(requestedId);
      const person = await personRow(personId, read);
      let identifiers = person.identifiers;
      let links: ScopeLink[] | undefined;
      let id = person.id;
      if (isScoped(scope) || anchor !== undefined) {
        links = toScopeLinks(await linkRows(person.id));
        const components = scopedComponents(person.identifiers, links, scope);
        const component =
          anchor === undefined
            ? components.find((c) => c.keys.has(anchorOf(person.identifiers)!.key))
            : components.find((c) => c.anchorRef === anchor);
        if (!component) throw new PersonNotFoundError();
        identifiers = person.identifiers.filter((i) => component.keys.has(i.key));
        id = scopedPersonId(person.id, component, person.identifiers.length);
        links = links.filter(
          (l) =>
            component.keys.has(l.fromKey) && component.keys.has(l.toKey) && l.status === 'active',
        );
      } else {
        links = toScopeLinks(await linkRows(person.id)).filter((l) => l.status === 'active');
      }
      const confidenceOf = confidencesOf(links);
      return {
        id,
        requestedId,
        status: person.status,
        ...(isScoped(scope) ? { scope } : {}),
        identifiers: identifiers.map((i) => ({
          type: i.type,
          value: i.value,
          confidence: confidenceOf(i.key),
          sources: i.sources,
          firstSeen: iso(i.createdAt)!,
          lastSeen: iso(i.lastSeen),
        })),
        attributes: await attributesOf(graph, person.id),
        mergedFrom: person.mergedFrom,
        createdAt: iso(person.createdAt)!,
        updatedAt: iso(person.updatedAt)!,
      };
    },

    /** The links inside a person, with confidence, method, rule, provenance and consent purposes. */
    async getPersonLinks(requestedId: string): Promise<{ personId: string; links: LinkView[] }> {
      const { personId } = parseScopedId(requestedId);
      // The survivor's id alone: reading the person whole would cost as much as its links.
      const [row] = await graph.query<{ id: string }>('read/person-survivor', { id: personId });
      if (!row) throw new PersonNotFoundError();
      return { personId: row.id, links: (await linkRows(row.id)).map(linkView) };
    },

    /**
     * The consent states and history of a person's identifiers, per purpose. A merged id answers
     * with its survivor; a scoped id with its whole person.
     */
    getPersonConsent: async (requestedId: string): Promise<PersonConsentView> => ({
      ...(await personConsent(graph, parseScopedId(requestedId).personId)),
      requestedId,
    }),

    /** One identifier with its person and links; raw values normalised as ingestion does. */
    getIdentifier: (type: string, value: string) => identifierView(deps, type, value),
  };
}
