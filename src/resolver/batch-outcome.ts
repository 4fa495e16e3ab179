import { z } from 'zod';
import type { Rejection } from './prepare-events.js';

/**
 * What resolving a batch reports. The resolver produces it, so its shape is defined here, once:
 * the ingest queue's job result and the API's job response take the matching counts from
 * {@link matchingOutcomeSchema} and the warnings from {@link attributeWarningsSchema}, and the
 * descriptions below are the ones the API documents.
 */

/**
 * What blocking left unscored under one rule: the recall a rule's limits cost, so that it shows.
 * A candidate counts under the first rule that found it (the cap keeps earlier rules' first).
 */
export const ruleOutcomeSchema = z.object({
  skippedBlocks: z
    .number()
    .int()
    .describe(
      "Records' blocks under this rule skipped as larger than MATCH_MAX_BLOCK_SIZE (one per record and block): none of the block's records was a candidate through it",
    ),
  cappedRecords: z
    .number()
    .int()
    .describe('Records over MATCH_MAX_CANDIDATES that lost candidates this rule found'),
  cutCandidates: z
    .number()
    .int()
    .describe('Candidates this rule found that the MATCH_MAX_CANDIDATES cap left unscored'),
});
export type RuleOutcome = z.infer<typeof ruleOutcomeSchema>;

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
  // Defaulted: results stored by versions without it still parse.
  identityHeld: z
    .number()
    .int()
    .default(0)
    .describe(
      'Of the reviews, pairs at or above MATCH_AUTO_THRESHOLD held for review because nothing but MATCH_HOUSEHOLD_ATTRIBUTES agreed',
    ),
  consentDenied: z
    .number()
    .int()
    .default(0)
    .describe(
      "Of the matched pairs, those not linked because an anchor identifier's identity_linking consent is denied",
    ),
  byRule: z
    .record(z.string(), ruleOutcomeSchema)
    // Results stored by older versions have none.
    .default({})
    .describe(
      'By blocking rule name, blocks skipped for size and candidates cut by the cap; rules with nothing skipped or cut are left out',
    ),
});
export type MatchingOutcome = z.infer<typeof matchingOutcomeSchema>;

/** The counts of {@link MatchingOutcome} that are plain numbers. */
export const MATCHING_STAGES = [
  'records',
  'candidates',
  'capped',
  'scored',
  'matched',
  'reviews',
  'identityHeld',
  'consentDenied',
] as const;

export const emptyMatching = (): MatchingOutcome => ({
  records: 0,
  candidates: 0,
  capped: 0,
  scored: 0,
  matched: 0,
  reviews: 0,
  identityHeld: 0,
  consentDenied: 0,
  byRule: {},
});

/** The rule's entry of the outcome, created on first use. */
export function ruleOutcome(matching: MatchingOutcome, rule: string): RuleOutcome {
  let entry = matching.byRule[rule];
  if (!entry)
    matching.byRule[rule] = entry = { skippedBlocks: 0, cappedRecords: 0, cutCandidates: 0 };
  return entry;
}

/** Adds `more` to `total`, rule by rule (a total over batches or pages). */
export function addMatching(total: MatchingOutcome, more: MatchingOutcome): void {
  for (const stage of MATCHING_STAGES) total[stage] += more[stage];
  for (const [rule, counts] of Object.entries(more.byRule)) {
    const entry = ruleOutcome(total, rule);
    entry.skippedBlocks += counts.skippedBlocks;
    entry.cappedRecords += counts.cappedRecords;
    entry.cutCandidates += counts.cutCandidates;
  }
}

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
  /**
   * Identifiers dropped from events because they are on the suppression list (erased); an event
   * left without identifiers is rejected with reason `suppressed`.
   */
  suppressed: number;
  /** Every dropped value and rejected event, with its reason. */
  rejected: Rejection[];
  events: EventOutcome[];
  merges: number;
  refusals: number;
  matching: MatchingOutcome;
  attributeWarnings: AttributeWarnings;
}
