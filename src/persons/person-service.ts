import { PersonNotFoundError } from '../errors.js';
import type { Graph } from '../graph/graph-client.js';
import type { IdentifierRegistry } from '../resolver/identifier-types.js';

/**
 * Read side for downstream services: which person is this identifier, and what is a person.
 * Lookups normalise exactly as ingestion does, so any spelling that ingestion accepted finds its node.
 */

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

export interface PersonView {
  id: string;
  requestedId: string;
  status: string;
  createdAt: string;
  updatedAt: string;
  identifiers: { type: string; value: string; firstSeen: string; lastSeen: string | null }[];
  mergedFrom: string[];
}

const iso = (ms: number | null | undefined) => (typeof ms === 'number' ? new Date(ms).toISOString() : null);

export type PersonService = ReturnType<typeof createPersonService>;

export function createPersonService(deps: { graph: Pick<Graph, 'query'>; registry: Pick<IdentifierRegistry, 'normalize'> }) {
  return {
    /** Resolves identifiers in request order; an invalid or blocked value gets `personId: null` and a reason. */
    async resolveMany(items: readonly ResolveItem[]): Promise<ResolveResult[]> {
      const normalized = items.map((item) => deps.registry.normalize(item.type, item.value));
      const keys = [...new Set(normalized.flatMap((n) => (n.ok ? [n.key] : [])))];
      const rows = keys.length === 0 ? [] : await deps.graph.query<{ key: string; personId: string | null }>('read/resolve-identifiers', { keys });
      const personOf = new Map(rows.map((r) => [r.key, r.personId]));
      return items.map((item, index) => {
        const n = normalized[index]!;
        if (!n.ok) return { type: item.type, value: item.value, personId: null, reason: n.reason };
        const personId = personOf.get(n.key) ?? null;
        // Deterministic membership is certain; probabilistic membership will carry its own probability.
        return personId === null
          ? { type: item.type, value: item.value, personId: null, reason: 'not_found' }
          : { type: item.type, value: item.value, personId, confidence: 1 };
      });
    },

    async getPerson(id: string): Promise<PersonView> {
      const [row] = await deps.graph.query<{
        id: string;
        requestedId: string;
        status: string;
        createdAt: number;
        updatedAt: number;
        identifiers: { type: string; value: string; firstSeen: number; lastSeen: number | null }[];
        mergedFrom: string[];
      }>('read/person-by-id', { id });
      if (!row) throw new PersonNotFoundError();
      return {
        id: row.id,
        requestedId: row.requestedId,
        status: row.status,
        createdAt: iso(row.createdAt)!,
        updatedAt: iso(row.updatedAt)!,
        identifiers: row.identifiers.map((i) => ({ type: i.type, value: i.value, firstSeen: iso(i.firstSeen)!, lastSeen: iso(i.lastSeen) })),
        mergedFrom: row.mergedFrom,
      };
    },
  };
}
