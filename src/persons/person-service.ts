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

/**
 * Read side for downstream services: which person is this identifier, what is a person, and how
 * are its identifiers linked. Lookups normalise exactly as ingestion does.
 *
 * With a scope (`purpose`, `minConfidence`) answers cover only the part of a person reachable from
 * the asked identifier through links that qualify (see scoped-view.ts and docs/api.md).
 */

/** Bookmarks a read must wait for (a client's consistency token). */
export interface ReadOptions {
  bookmarks?: string[];
}

export interface ResolveItem {
  type: string;
  value: string;
}

export type ResolveResult = {
  type: string;
  value: string;
  personId: string | null;
  confidence?: number;
  reason?: string;
};

export interface LinkView {
  id: string;
  from: { type: string; value: string };
  to: { type: string; value: string };
  status: string;
  method: string;
  rule: string;
  confidence: number;
  sources: string[];
  firstSeen: string;
  lastSeen: string;
  evidenceCount: number;
  evidenceEvents: string[];
  purposes: string[];
}

export interface PersonIdentifierView {
  type: string;
  value: string;
  confidence: number;
  sources: string[];
  firstSeen: string;
  lastSeen: string | null;
}

export interface PersonView {
  id: string;
  requestedId: string;
  status: string;
  scope?: Scope;
  identifiers: PersonIdentifierView[];
  attributes: Record<string, unknown>;
  mergedFrom: string[];
  createdAt: string;
  updatedAt: string;
}

export interface IdentifierView {
  type: string;
  value: string;
  personId: string;
  sources: string[];
  firstSeen: string;
  lastSeen: string | null;
  links: (Omit<LinkView, 'from' | 'to'> & { other: { type: string; value: string } })[];
}

interface PersonRow {
  id: string;
  requestedId: string;
  status: string;
  createdAt: number;
  updatedAt: number;
  identifiers: {
    key: string;
    type: string;
    value: string;
    createdAt: number;
    lastSeen: number | null;
    ref: string;
    sources: string[];
  }[];
  mergedFrom: string[];
}

interface LinkRow {
  link: Record<string, unknown> & ScopeLinkProps;
  fromKey: string;
  fromType: string;
  fromValue: string;
  toKey: string;
  toType: string;
  toValue: string;
}

interface ScopeLinkProps {
  id: string;
  status: string;
  confidence: number;
  purposes: string[];
  method: string;
  rule: string;
  modelVersion?: string;
  sources: string[];
  firstSeen: number;
  lastSeen: number;
  evidenceCount: number;
  events: string[];
}

const iso = (ms: number | null | undefined) =>
  typeof ms === 'number' ? new Date(ms).toISOString() : null;

const ATTRIBUTE_EVENTS = 200;
const IDENTIFIER_LINKS = 1000;

function linkView(row: LinkRow): LinkView {
  const l = row.link;
  return {
    id: l.id,
    from: { type: row.fromType, value: row.fromValue },
    to: { type: row.toType, value: row.toValue },
    ...provenance(l),
  };
}

function provenance(l: ScopeLinkProps) {
  return {
    status: l.status,
    method: l.method,
    rule: l.rule,
    confidence: l.confidence,
    ...(l.modelVersion ? { modelVersion: l.modelVersion } : {}),
    sources: l.sources,
    firstSeen: iso(l.firstSeen)!,
    lastSeen: iso(l.lastSeen)!,
    evidenceCount: l.evidenceCount,
    evidenceEvents: l.events,
    purposes: l.purposes,
  };
}

const isScoped = (scope: Scope) => scope.purpose !== undefined || (scope.minConfidence ?? 0) > 0;

/** The active person of each identifier key (null: unknown identifier), in one query. */
async function personsByKey(
  graph: Pick<Graph, 'query'>,
  keys: readonly string[],
  bookmarks?: string[],
): Promise<Map<string, string | null>> {
  if (keys.length === 0) return new Map();
  const rows = await graph.query<{ key: string; personId: string | null }>(
    'read/resolve-identifiers',
    { keys },
    bookmarks ? { bookmarks } : {},
  );
  return new Map(rows.map((r) => [r.key, r.personId]));
}

/** Keys of one coalesced `read/resolve-identifiers` query at most; a request this large runs alone. */
export const COALESCE_MAX_KEYS = 1000;

/**
 * The person of each identifier key, for concurrent callers in one query: keys asked for in the same
 * event-loop turn (every request whose handler reached this point before the turn's I/O phase ended)
 * are looked up together when the turn ends, up to {@link COALESCE_MAX_KEYS} keys a query.
 *
 * Why: a single lookup is one index seek and one hop in Neo4j, and the fixed cost of a query (a
 * session, a transaction, the Bolt round trip, packing and unpacking) dwarfs it. Under load, 50
 * concurrent single lookups become a handful of queries (docs/benchmarks.md, Lookup). An idle
 * service still answers a lone request after one turn of the loop.
 *
 * A failed query fails every caller whose keys it carried, with the same error.
 */
export function createCoalescingLookup(graph: Pick<Graph, 'query'>) {
  type Persons = Map<string, string | null>;
  interface Batch {
    keys: Set<string>;
    waiters: { resolve: (persons: Persons) => void; reject: (error: unknown) => void }[];
  }
  let open: Batch | undefined;

  const query = (keys: readonly string[]) => personsByKey(graph, keys);

  function flush(batch: Batch): void {
    if (open === batch) open = undefined;
    query([...batch.keys]).then(
      (persons) => batch.waiters.forEach((w) => w.resolve(persons)),
      (error: unknown) => batch.waiters.forEach((w) => w.reject(error)),
    );
  }

  return (keys: readonly string[]): Promise<Persons> => {
    if (keys.length === 0 || keys.length >= COALESCE_MAX_KEYS) return query(keys);
    if (open && open.keys.size + keys.length > COALESCE_MAX_KEYS) flush(open);
    if (!open) {
      const batch: Batch = { keys: new Set(), waiters: [] };
      open = batch;
      setImmediate(() => open === batch && flush(batch));
    }
    const batch = open;
    for (const key of keys) batch.keys.add(key);
    return new Promise((resolve, reject) => batch.waiters.push({ resolve, reject }));
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

  const toScopeLinks = (rows: LinkRow[]): ScopeLink[] =>
    rows.map((r) => ({
      fromKey: r.fromKey,
      toKey: r.toKey,
      status: r.link.status,
      confidence: r.link.confidence,
      purposes: r.link.purposes,
    }));

  /** Identifier confidence inside a set of links: its strongest incident link; 1 when alone. */
  function confidenceOf(key: string, links: readonly ScopeLink[]): number {
    let best = 0;
    let any = false;
    for (const l of links) {
      if (l.fromKey === key || l.toKey === key) {
        any = true;
        best = Math.max(best, l.confidence);
      }
    }
    return any ? best : 1;
  }

  async function attributesOf(personId: string): Promise<Record<string, unknown>> {
    const rows = await graph.query<{ payload: string }>('read/person-attributes', {
      personId,
      limit: ATTRIBUTE_EVENTS,
    });
    const attributes: Record<string, unknown> = {};
    // Newest first: the first value seen for an attribute wins.
    for (const { payload } of rows) {
      const event = JSON.parse(payload) as { attributes?: Record<string, unknown> };
      for (const [name, value] of Object.entries(event.attributes ?? {})) {
        if (value !== null && value !== undefined && !(name in attributes))
          attributes[name] = value;
      }
    }
    return attributes;
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
          const scopeLinks = toScopeLinks(links);
          const components = scopedComponents(person.identifiers, scopeLinks, scope);
          for (const component of components) {
            const id = scopedPersonId(personId, component, person.identifiers.length);
            const qualifying = scopeLinks.filter(
              (l) => component.keys.has(l.fromKey) && component.keys.has(l.toKey),
            );
            for (const key of component.keys)
              scoped.set(key, { personId: id, confidence: confidenceOf(key, qualifying) });
          }
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
      return {
        id,
        requestedId,
        status: person.status,
        ...(isScoped(scope) ? { scope } : {}),
        identifiers: identifiers.map((i) => ({
          type: i.type,
          value: i.value,
          confidence: confidenceOf(i.key, links),
          sources: i.sources,
          firstSeen: iso(i.createdAt)!,
          lastSeen: iso(i.lastSeen),
        })),
        attributes: await attributesOf(person.id),
        mergedFrom: person.mergedFrom,
        createdAt: iso(person.createdAt)!,
        updatedAt: iso(person.updatedAt)!,
      };
    },

    /** The links inside a person, with confidence, method, rule, provenance and consent purposes. */
    async getPersonLinks(requestedId: string): Promise<{ personId: string; links: LinkView[] }> {
      const { personId } = parseScopedId(requestedId);
      const person = await personRow(personId);
      return { personId: person.id, links: (await linkRows(person.id)).map(linkView) };
    },

    /** One identifier with its person and links; raw values normalised as ingestion does. */
    async getIdentifier(type: string, value: string): Promise<IdentifierView> {
      const n = deps.registry.normalize(type, value);
      if (!n.ok) throw new IdentifierNotFoundError();
      const [row] = await graph.query<{
        type: string;
        value: string;
        createdAt: number;
        lastSeen: number | null;
        personId: string;
        sources: string[];
        links: { link: ScopeLinkProps; otherType: string; otherValue: string }[];
      }>('read/identifier-view', { key: n.key, limit: IDENTIFIER_LINKS });
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
    },
  };
}
