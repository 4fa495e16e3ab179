import type { HistoryPosition } from './history-cursor.js';

/**
 * A person's history items, built from the rows of read/person-history-page. Items name persons,
 * links, audit records, rules and identifier types only, never identifier values, so the history
 * is readable with `audit:read` as the audit trail is.
 */

/** Who made a change the audit record does not attribute to anyone: the resolver itself. */
export const RESOLVER_ACTOR = 'resolver';

/** Every history item: what happened, when (ISO), who did it, and its audit record (if any). */
export type HistoryItemBase = {
  kind: string;
  at: string;
  actor: string;
  auditId: string | null;
};

/** A person of the lineage was created, with the identifiers it started with (types, counts). */
export type CreatedItem = HistoryItemBase & {
  kind: 'created';
  personId: string;
  splitFrom?: string;
  identifierCount: number;
  identifierTypes: Record<string, number>;
};

/** A link joined two of the person's identifiers (auditId null: the link is its own record). */
export type IdentifierJoinedItem = HistoryItemBase & {
  kind: 'identifier_joined';
  linkId: string;
  rule: string;
  method: string;
  confidence: number;
  /** The newest event keys the link keeps as its evidence (source/id). */
  eventKeys: string[];
  fromType: string;
  toType: string;
  /** The link's status now: `active`, or `withdrawn` (its withdrawal is an item of its own). */
  status: string;
};

/** An audit record concerning the person: its kind and every field it holds (ids and codes). */
export type AuditItem = HistoryItemBase & Record<string, unknown>;

export type HistoryItem = CreatedItem | IdentifierJoinedItem | AuditItem;

/** A row of the page statement: the item's sort key and one of its three sources. */
export interface HistoryRow {
  at: number;
  rank: number;
  key: string;
  created: {
    id: string;
    splitFrom: string | null;
    identifierTypes: string[];
  } | null;
  link: {
    id: string;
    rule: string;
    method: string;
    confidence: number;
    events: string[] | null;
    status: string;
    fromType: string;
    toType: string;
  } | null;
  audit: (Record<string, unknown> & { id: string; kind: string; at: number }) | null;
}

export const positionOf = (row: HistoryRow): HistoryPosition => ({
  at: row.at,
  rank: row.rank,
  key: row.key,
});

function countTypes(types: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const type of [...types].sort()) counts[type] = (counts[type] ?? 0) + 1;
  return counts;
}

/** The item a row stands for. */
export function historyItem(row: HistoryRow): HistoryItem {
  const at = new Date(row.at).toISOString();
  if (row.created) {
    const { id, splitFrom, identifierTypes } = row.created;
    return {
      kind: 'created',
      at,
      actor: RESOLVER_ACTOR,
      auditId: null,
      personId: id,
      ...(splitFrom ? { splitFrom } : {}),
      identifierCount: identifierTypes.length,
      identifierTypes: countTypes(identifierTypes),
    };
  }
  if (row.link) {
    const l = row.link;
    return {
      kind: 'identifier_joined',
      at,
      actor: RESOLVER_ACTOR,
      auditId: null,
      linkId: l.id,
      rule: l.rule,
      method: l.method,
      confidence: l.confidence,
      eventKeys: l.events ?? [],
      fromType: l.fromType,
      toType: l.toType,
      status: l.status,
    };
  }
  if (!row.audit) throw new Error(`history row ${row.key} has no item`);
  // Every field the record holds passes through, so kinds added later appear unchanged.
  const { id, kind, at: _at, actor, ...fields } = row.audit;
  const present = Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== null));
  return {
    ...present,
    kind,
    at,
    actor: typeof actor === 'string' ? actor : RESOLVER_ACTOR,
    auditId: id,
  };
}
