import type { Comparison, IdentifierRef } from './api-types.js';

/**
 * Shapes of issue 24's audit APIs the console reads: history (GET /v1/persons/{id}/history),
 * why / why not (POST /v1/explain), manual operations (merge, split, revert, each with ?dryRun).
 * docs/openapi.json is the reference.
 */
export interface HistoryItem {
  kind: string;
  at: string;
  actor: string;
  auditId: string | null;
  [field: string]: unknown;
}

export interface HistoryPage {
  personId: string;
  requestedId: string;
  items: HistoryItem[];
  next: string | null;
}

export interface PersonAt {
  personId: string;
  requestedId: string;
  at: string;
  identifiers: (IdentifierRef & { since: string })[];
  links: {
    id: string;
    from: IdentifierRef;
    to: IdentifierRef;
    method: string;
    rule: string;
    confidence: number;
  }[];
}

export interface ShownIdentifier {
  type: string;
  value?: string;
}

export interface PathLink {
  id: string;
  from: ShownIdentifier;
  to: ShownIdentifier;
  method: string;
  rule: string;
  confidence: number;
  modelVersion: string | null;
  evidenceEvents: string[];
  evidenceCount: number;
  sources: string[];
  purposes: string[];
}

export interface BestPair {
  recordIds: [string, string];
  modelVersion: string;
  probability: number;
  matchWeight: number;
  priorWeight: number;
  comparisons: Comparison[];
  decision: 'link' | 'review' | 'none';
  held?: string;
  autoThreshold: number;
  reviewThreshold: number;
  pairsScored: number;
}

export type Reason = { code: string; [field: string]: unknown };

export type Explanation =
  | { samePerson: true; personId: string; path: PathLink[] | null }
  | { samePerson: false; persons: [string | null, string | null]; reasons: Reason[] };

export interface IdentifierGroup {
  type: string;
  count: number;
  values?: string[];
}

export interface ManualOutcome {
  dryRun: boolean;
  auditId: string;
  persons: {
    personId: string;
    status: string;
    created: boolean;
    identifiersIn: IdentifierGroup[];
    identifiersOut: IdentifierGroup[];
  }[];
  linksWithdrawn: string[];
  constraintsAdded: { id: string; kind: 'keep_apart'; personIds: string[] }[];
}
