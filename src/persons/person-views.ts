import type { Scope } from './scoped-view.js';

/**
 * What the read side answers (persons, identifiers, links with provenance), and the rows of the
 * read statements it builds them from. Values in these views are personal data.
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

export interface PersonRow {
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

export interface LinkRow {
  link: Record<string, unknown> & ScopeLinkProps;
  fromKey: string;
  fromType: string;
  fromValue: string;
  toKey: string;
  toType: string;
  toValue: string;
}

/** A row of read/identifier-view. */
export interface IdentifierRow {
  type: string;
  value: string;
  createdAt: number;
  lastSeen: number | null;
  personId: string;
  sources: string[];
  links: { link: ScopeLinkProps; otherType: string; otherValue: string }[];
}

export interface ScopeLinkProps {
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

export const iso = (ms: number | null | undefined) =>
  typeof ms === 'number' ? new Date(ms).toISOString() : null;

export const ATTRIBUTE_EVENTS = 200;
export const IDENTIFIER_LINKS = 1000;

export function linkView(row: LinkRow): LinkView {
  const l = row.link;
  return {
    id: l.id,
    from: { type: row.fromType, value: row.fromValue },
    to: { type: row.toType, value: row.toValue },
    ...provenance(l),
  };
}

export function provenance(l: ScopeLinkProps) {
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

export const isScoped = (scope: Scope) =>
  scope.purpose !== undefined || (scope.minConfidence ?? 0) > 0;
