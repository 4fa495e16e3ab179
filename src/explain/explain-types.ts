import type { ComparisonExplanation } from '../matching/scoring/fellegi-sunter.js';
import type { HoldReason } from '../matching/scoring/identity-evidence.js';

/**
 * The answer of POST /v1/explain (its zod schema is src/api/explain-schemas.ts). Identifier values
 * appear only when the caller may read persons (`persons:read`); otherwise identifiers are given by
 * type alone. Everything else is ids, codes and numbers.
 */

export type Side = 'a' | 'b';

/** An identifier in an answer: its value only for callers with `persons:read`. */
export interface ShownIdentifier {
  type: string;
  value?: string;
}

/** One active link of a same-person path, oriented the way the path walks (from a towards b). */
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

export interface SamePerson {
  samePerson: true;
  personId: string;
  /** Null when the two are further apart than {@link MAX_PATH_LINKS} links. */
  path: PathLink[] | null;
}

/** The best record pair between the two persons, scored now with the active matcher. */
export interface BestPair {
  /** The record of a's person, then the record of b's. */
  recordIds: [string, string];
  modelVersion: string;
  probability: number;
  matchWeight: number;
  priorWeight: number;
  comparisons: ComparisonExplanation[];
  /** What the active matcher would decide for the pair now. */
  decision: 'link' | 'review' | 'none';
  held?: HoldReason;
  autoThreshold: number;
  reviewThreshold: number;
  /** Record pairs scored (the newest records of each person, a bounded number each). */
  pairsScored: number;
}

export type Reason =
  | { code: 'no_evidence'; side?: Side }
  | { code: 'suppressed'; side: Side }
  | ({ code: 'below_threshold' | 'not_compared' } & BestPair)
  | { code: 'review_pending'; reviewId: string; probability: number; modelVersion: string | null }
  | { code: 'no_match_decision'; constraintId: string; reviewId: string | null }
  | {
      code: 'merge_refused';
      auditId: string | null;
      linkId: string | null;
      reason: string | null;
      identifierType: string | null;
      limit: number | null;
      method: string | null;
      rule: string | null;
      confidence: number | null;
    }
  | {
      code: 'withdrawn';
      linkId: string;
      auditId: string | null;
      reason: string | null;
      method: string;
      rule: string;
      confidence: number;
    }
  | {
      code: 'consent_withheld';
      side: Side;
      purpose: 'identity_linking';
      identifier: ShownIdentifier;
      /** The refused or withdrawn link between the persons that this identifier ends, if any. */
      linkId: string | null;
    }
  | { code: 'split_off'; auditId: string | null; constraintId: string | null };

export interface DifferentPersons {
  samePerson: false;
  /** a's person and b's; null for an unknown identifier. */
  persons: [string | null, string | null];
  reasons: Reason[];
}

export type Explanation = SamePerson | DifferentPersons;

/** Longest same-person path searched (the bound in read/explain-path). */
export const MAX_PATH_LINKS = 64;
