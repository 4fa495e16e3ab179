import { z } from 'zod';
import { HOLD_REASONS } from '../matching/scoring/identity-evidence.js';
import { comparisonExplanationSchema, resolveItemSchema } from './schemas.js';

/** POST /v1/explain: request and answer (types in src/explain/explain-types.ts). */

export const explainRequestSchema = z
  .object({
    a: resolveItemSchema.describe('An identifier, as ingested (normalised the same way)'),
    b: resolveItemSchema,
  })
  .strict();

const side = z.enum(['a', 'b']);

const shownIdentifierSchema = z.object({
  type: z.string(),
  value: z
    .string()
    .optional()
    .describe('Only for API keys that also hold `persons:read`; types alone otherwise'),
});

export const pathLinkSchema = z.object({
  id: z.string(),
  from: shownIdentifierSchema.describe('The end nearer a, as the path walks'),
  to: shownIdentifierSchema,
  method: z.string().describe('deterministic, probabilistic or manual'),
  rule: z.string(),
  confidence: z.number(),
  modelVersion: z.string().nullable(),
  evidenceEvents: z.array(z.string()).describe('Newest events (source/id) that asserted the link'),
  evidenceCount: z.number().int(),
  sources: z.array(z.string()),
  purposes: z.array(z.string()).describe('Purposes the evidence consented to'),
});

const bestPairShape = {
  recordIds: z.tuple([z.string(), z.string()]).describe("a's person's record, then b's"),
  modelVersion: z.string(),
  probability: z.number(),
  matchWeight: z.number().describe('priorWeight + the sum of the comparison weights, in bits'),
  priorWeight: z.number(),
  comparisons: z.array(comparisonExplanationSchema).describe("Each attribute's contribution"),
  decision: z.enum(['link', 'review', 'none']).describe('What the active matcher decides now'),
  held: z.enum(HOLD_REASONS).optional(),
  autoThreshold: z.number(),
  reviewThreshold: z.number(),
  pairsScored: z.number().int().describe('Record pairs scored (newest 50 records of each person)'),
};

export const reasonSchema = z.discriminatedUnion('code', [
  z.object({
    code: z.literal('no_evidence'),
    side: side.optional().describe('Set when that side is an unknown identifier'),
  }),
  z.object({ code: z.literal('suppressed'), side: side.describe('The erased identifier') }),
  z.object({ code: z.literal('below_threshold'), ...bestPairShape }),
  z.object({ code: z.literal('not_compared'), ...bestPairShape }),
  z.object({
    code: z.literal('review_pending'),
    reviewId: z.string(),
    probability: z.number(),
    modelVersion: z.string().nullable(),
  }),
  z.object({
    code: z.literal('no_match_decision'),
    constraintId: z.string(),
    reviewId: z.string().nullable(),
  }),
  z.object({
    code: z.literal('merge_refused'),
    auditId: z.string().nullable(),
    linkId: z.string().nullable(),
    reason: z.string().nullable().describe('e.g. limit_exceeded, no_match, better_match'),
    identifierType: z.string().nullable().describe('The limited type (limit refusals)'),
    limit: z.number().nullable().describe('The per-person limit that refused the merge'),
    method: z.string().nullable(),
    rule: z.string().nullable(),
    confidence: z.number().nullable(),
  }),
  z.object({
    code: z.literal('withdrawn'),
    linkId: z.string(),
    auditId: z.string().nullable(),
    reason: z.string().nullable().describe('better_match, rescored, consent_revoked, ...'),
    method: z.string(),
    rule: z.string(),
    confidence: z.number(),
  }),
  z.object({
    code: z.literal('consent_withheld'),
    side,
    purpose: z.literal('identity_linking'),
    identifier: shownIdentifierSchema,
    linkId: z.string().nullable().describe('The refused or withdrawn link it ends, if any'),
  }),
  z.object({
    code: z.literal('split_off'),
    auditId: z.string().nullable(),
    constraintId: z.string().nullable().describe('The keep-apart constraint, when there is one'),
  }),
]);

export const explanationSchema = z.discriminatedUnion('samePerson', [
  z.object({
    samePerson: z.literal(true),
    personId: z.string(),
    path: z
      .array(pathLinkSchema)
      .nullable()
      .describe('Active links from a to b: fewest, then most confident; null beyond 64 links'),
  }),
  z.object({
    samePerson: z.literal(false),
    persons: z
      .tuple([z.string().nullable(), z.string().nullable()])
      .describe("a's person and b's (null: unknown identifier)"),
    reasons: z.array(reasonSchema).describe('Every reason that applies, each with a stable code'),
  }),
]);
