import { z } from 'zod';
import type { Rejection } from './prepare-events.js';

/**
 * What resolving a batch reports. The resolver produces it, so its shape is defined here, once:
 * the ingest queue's job result and the API's job response take the matching counts from
 * {@link matchingOutcomeSchema} and the warnings from {@link attributeWarningsSchema}, and the
 * descriptions below are the ones the API documents.
 */

/** Probabilistic matching of a batch's records (or of a rescore page's): counts only, no values. */
export const matchingOutcomeSchema = z.object({
  records: z.number().int().describe('Events whose attributes became a record'),
  candidates: z
    .number()
    .int()
    .describe('Candidates found, summed over records, before the per-record cap'),
  capped: z.number().int().describe('Records with more candidates than MATCH_MAX_CANDIDATES'),
  scored: z.number().int().describe('Record pairs scored'),
  matched: z.number().int().describe('Pairs at or above MATCH_AUTO_THRESHOLD'),
  reviews: z.number().int().describe('Pairs sent to the review queue'),
});
export type MatchingOutcome = z.infer<typeof matchingOutcomeSchema>;

export const emptyMatching = (): MatchingOutcome => ({
  records: 0,
  candidates: 0,
  capped: 0,
  scored: 0,
  matched: 0,
  reviews: 0,
});

/**
 * Attribute values kept as given although they are not clean, counted by attribute name: the
 * values are personal data and never leave the graph.
 */
export const attributeWarningsSchema = z
  .record(z.string(), z.number().int())
  .describe(
    'Attribute values kept as given but not clean, counted by attribute name (never the value): `dateOfBirth` that is not a real calendar date, compared as text',
  );
export type AttributeWarnings = z.infer<typeof attributeWarningsSchema>;

export type EventOutcome =
  | { eventId: string; source: string; status: 'applied'; personIds: string[] }
  | { eventId: string; source: string; status: 'duplicate' };

export interface BatchOutcome {
  applied: number;
  duplicates: number;
  /** Events rejected whole (no usable identifier). */
  rejectedEvents: number;
  /** Every dropped value and rejected event, with its reason. */
  rejected: Rejection[];
  events: EventOutcome[];
  merges: number;
  refusals: number;
  matching: MatchingOutcome;
  attributeWarnings: AttributeWarnings;
}
