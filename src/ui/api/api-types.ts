/**
 * The shapes of the API answers the console reads (docs/openapi.json is the reference; these
 * mirror the zod schemas in src/api/schemas.ts and src/privacy/privacy-contract.ts, narrowed to
 * the fields the views use).
 */
export interface Me {
  name: string;
  scopes: string[];
}

export interface IdentifierRef {
  type: string;
  value: string;
}

export interface PersonIdentifier extends IdentifierRef {
  confidence: number;
  sources: string[];
  firstSeen: string;
  lastSeen: string | null;
}

export interface Person {
  id: string;
  requestedId: string;
  status: string;
  scope?: { purpose?: string; minConfidence?: number };
  identifiers: PersonIdentifier[];
  attributes: Record<string, unknown>;
  mergedFrom: string[];
  createdAt: string;
  updatedAt: string;
}

export interface Link {
  id: string;
  status: string;
  method: string;
  rule: string;
  confidence: number;
  modelVersion?: string;
  sources: string[];
  firstSeen: string;
  lastSeen: string;
  evidenceCount: number;
  evidenceEvents: string[];
  purposes: string[];
  from: IdentifierRef;
  to: IdentifierRef;
}

export interface PersonLinks {
  personId: string;
  links: Link[];
}

export interface ResolveResult extends IdentifierRef {
  personId: string | null;
  confidence?: number;
  reason?: string;
}

export interface Comparison {
  comparison: string;
  attribute: string;
  level: number;
  label: string;
  m: number | null;
  u: number | null;
  weight: number;
  tfAdjustment?: number;
}

export interface MatchExplanation {
  probability: number;
  matchWeight: number;
  priorWeight: number;
  comparisons: Comparison[];
  held?: string;
}

export interface LinkExplanation {
  id: string;
  status: string;
  method: string;
  rule: string;
  confidence: number;
  from: IdentifierRef & { personId: string | null };
  to: IdentifierRef & { personId: string | null };
  modelVersion: string | null;
  recordIds: string[];
  match: MatchExplanation | null;
  evidenceEvents: string[];
  evidenceCount: number;
  sources: string[];
  purposes: string[];
}

export interface ReviewRecord {
  id: string;
  source: string;
  eventKey: string;
  attributes: Record<string, string>;
  anchor: IdentifierRef | null;
  personId: string | null;
}

export interface Review {
  id: string;
  status: 'pending' | 'decided';
  probability: number;
  matchWeight: number;
  modelVersion: string;
  explanation: unknown;
  createdAt: string;
  decision?: 'match' | 'no_match';
  reason?: string;
  decidedBy?: string;
  decidedAt?: string;
  records: ReviewRecord[];
}

export interface ReviewDecisionResult {
  reviewId: string;
  decision: 'match' | 'no_match';
  personIds: string[];
}

export type PrivacyRequestType = 'revoke' | 'erase' | 'access' | 'unsuppress';

export interface PrivacyRequest {
  id: string;
  type: PrivacyRequestType;
  status: 'pending' | 'in_progress' | 'completed' | 'failed';
  requestId?: string;
  createdAt: string;
  updatedAt: string;
  actor: string;
  reason: string;
  purposes?: string[];
  stepsDone: string[];
  report?: Record<string, unknown>;
  failure?: string;
}

export interface PrivacyRequestList {
  items: PrivacyRequest[];
  cursor?: string;
}
