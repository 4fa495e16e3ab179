import { z } from 'zod';
import { changeItemSchema } from '../changes/change-contract.js';
import { attributeWarningsSchema, matchingOutcomeSchema } from '../resolver/batch-outcome.js';
import { HOLD_REASONS } from '../matching/scoring/identity-evidence.js';

/** Schemas shared by several routes (request and response), also used by tests to parse answers. */

export const jobStateSchema = z.enum(['waiting', 'active', 'completed', 'failed', 'delayed']);

/** A boolean query parameter: `true`/`1` or `false`/`0`; absent is false. */
export const booleanQuery = z
  .enum(['true', 'false', '1', '0'])
  .optional()
  .transform((v) => v === 'true' || v === '1');

export const enqueueResponseSchema = z.object({
  jobId: z.string(),
  accepted: z.number().int().describe('Events accepted into the queue'),
});

const suppressedCount = z
  .number()
  .int()
  .describe(
    'Identifiers dropped from events because they were erased (on the suppression list): never created or linked. An event left without identifiers is rejected with reason `suppressed`',
  );

export const appliedResponseSchema = z.object({
  jobId: z.string(),
  accepted: z.number().int(),
  counts: z.object({
    applied: z.number().int(),
    duplicates: z.number().int(),
    rejected: z.number().int(),
    suppressed: suppressedCount,
  }),
  events: z
    .array(
      z.object({
        id: z.string(),
        source: z.string(),
        status: z.enum(['applied', 'duplicate', 'rejected']),
        personIds: z
          .array(z.string())
          .describe("Persons the event's identifiers resolved to, right after it was applied"),
      }),
    )
    .describe('Per event, in request order'),
  rejected: z.array(z.object({ eventId: z.string(), source: z.string(), reason: z.string() })),
});

export const rejectionSchema = z.object({
  eventId: z.string(),
  source: z.string(),
  reason: z.string(),
});

export const jobResponseSchema = z.object({
  jobId: z.string(),
  state: jobStateSchema,
  counts: z
    .object({
      applied: z.number().int(),
      duplicates: z.number().int(),
      rejected: z.number().int(),
      suppressed: suppressedCount,
    })
    .describe(
      'Events applied, already applied before (same source and id), and rejected whole; identifiers dropped as suppressed',
    ),
  rejected: z
    .array(rejectionSchema)
    .describe('Each rejected event and each value dropped from an applied event, with its reason'),
  matching: matchingOutcomeSchema
    .optional()
    .describe('Probabilistic matching of the batch (completed jobs)'),
  attributeWarnings: attributeWarningsSchema.optional(),
  failedReason: z
    .string()
    .optional()
    .describe('Why the job is in the dead-letter queue (state `failed`)'),
});

export const resolveItemSchema = z
  .object({ type: z.string().min(1).max(40), value: z.string().max(1024) })
  .strict();

export const resolveRequestSchema = z
  .object({
    identifiers: z.array(resolveItemSchema).min(1).max(1000),
    purpose: z
      .string()
      .regex(/^[a-z][a-z0-9_]{0,63}$/)
      .optional()
      .describe('Scope: only links consented for this purpose'),
    minConfidence: z
      .number()
      .min(0)
      .max(1)
      .optional()
      .describe('Scope: only links with at least this confidence'),
  })
  .strict();

export const resolveResultSchema = z.object({
  type: z.string(),
  value: z.string(),
  personId: z.string().nullable(),
  confidence: z.number().min(0).max(1).optional(),
  reason: z
    .string()
    .optional()
    .describe('Why personId is null: not_found, blocked, invalid_email, ...'),
});

export const resolveResponseSchema = z.object({ results: z.array(resolveResultSchema) });

export const personIdParam = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,64}(~[A-Za-z0-9_-]{1,64})?$/, 'a person id, or a scoped person id')
  .describe('A person id (`per_…`), or a scoped person id (`per_…~…`) from a scoped answer');

export const scopeQuerySchema = {
  purpose: z
    .string()
    .regex(/^[a-z][a-z0-9_]{0,63}$/)
    .optional()
    .describe('Only links whose evidence was consented for this purpose'),
  // A string with a pattern rather than a coerced number: coercion reads an empty value as 0.
  minConfidence: z
    .string()
    .regex(/^(0(\.\d{1,9})?|1(\.0{1,9})?|\.\d{1,9})$/, 'a number from 0 to 1')
    .transform(Number)
    .optional()
    .describe('Only links with at least this confidence (0 to 1)'),
};

/** The scope an answer was cut to, as answered. */
export const scopeSchema = z.object({
  purpose: scopeQuerySchema.purpose,
  minConfidence: z.number().min(0).max(1).optional(),
});

export const identifierRefSchema = z.object({ type: z.string(), value: z.string() });

export const personSchema = z.object({
  id: z
    .string()
    .describe(
      'The active person (the survivor when a merged id was asked; a scoped id when a scope was given)',
    ),
  requestedId: z.string(),
  status: z.string(),
  scope: scopeSchema.optional().describe('The scope the answer was cut to, when one was given'),
  identifiers: z.array(
    z.object({
      type: z.string(),
      value: z.string(),
      confidence: z
        .number()
        .describe('Strongest link tying the identifier into the person (1 when alone)'),
      sources: z.array(z.string()),
      firstSeen: z.string(),
      lastSeen: z.string().nullable(),
    }),
  ),
  attributes: z.record(z.string(), z.unknown()).describe('Latest reported value of each attribute'),
  mergedFrom: z.array(z.string()),
  createdAt: z.string(),
  updatedAt: z.string(),
});

const provenanceShape = {
  id: z.string(),
  status: z
    .string()
    .describe(
      'active; refused (kept as evidence, persons stay apart); or withdrawn (a rescore or a better match replaced it, or a revoke request withdrew the consent it rested on)',
    ),
  method: z.string().describe('deterministic, probabilistic or manual'),
  rule: z.string().describe('same_event, fellegi_sunter or review_decision'),
  confidence: z.number().describe('1 for co-occurrence and decisions; the match probability'),
  modelVersion: z
    .string()
    .optional()
    .describe('Model a probabilistic link was scored with (GET /v1/links/{id}/explain)'),
  sources: z.array(z.string()),
  firstSeen: z.string(),
  lastSeen: z.string(),
  evidenceCount: z.number().int(),
  evidenceEvents: z.array(z.string()).describe('Newest events (source/id) that asserted the link'),
  purposes: z.array(z.string()).describe('Purposes the evidence consented to'),
};

export const linkSchema = z.object({
  ...provenanceShape,
  from: identifierRefSchema,
  to: identifierRefSchema,
});

export const personLinksSchema = z.object({ personId: z.string(), links: z.array(linkSchema) });

const consentEntryShape = {
  granted: z.boolean(),
  at: z
    .string()
    .describe("When it was asserted: the event's occurredAt, or the privacy request's creation"),
  source: z.string().describe("The event's source, or `privacy_request`"),
  eventId: z.string().nullable().describe('The event that asserted it (with `source`)'),
  requestId: z.string().nullable().describe('The privacy request that asserted it'),
};

export const personConsentSchema = z.object({
  id: z.string().describe('The active person (the survivor when a merged id was asked)'),
  requestedId: z.string(),
  purposes: z
    .array(
      z.object({
        purpose: z.string(),
        identifiers: z
          .array(
            z.object({
              type: z.string(),
              value: z.string(),
              current: z
                .object(consentEntryShape)
                .describe(
                  'The newest assertion; a privacy request outranks events as old or older',
                ),
              history: z
                .array(
                  z.object({
                    ...consentEntryShape,
                    recordedAt: z.string().describe('When idgraph recorded the change'),
                  }),
                )
                .describe(
                  'Changes, newest first: the first assertion, then each one that flipped `granted` (at most 100)',
                ),
              historyTotal: z.number().int().describe('Changes recorded in all'),
            }),
          )
          .describe('Identifiers of the person with a state for this purpose, by key'),
      }),
    )
    .describe('By purpose name'),
});

export const identifierViewSchema = z.object({
  type: z.string(),
  value: z.string(),
  personId: z.string(),
  sources: z.array(z.string()),
  firstSeen: z.string(),
  lastSeen: z.string().nullable(),
  links: z.array(z.object({ ...provenanceShape, other: identifierRefSchema })),
});

export const singleResolveSchema = z.object({
  personId: z.string(),
  confidence: z.number(),
  identifier: identifierRefSchema.describe('The identifier as normalised'),
});

export const auditKinds = [
  'merge',
  'merge_refused',
  'review_decision',
  'link_withdrawn',
  'split',
  'privacy_request',
  'consent_revoked',
  'erasure',
  'suppression_added',
  'suppression_lifted',
  'access_export',
  'manual_merge',
  'manual_split',
  'merge_reverted',
  'constraint_added',
  'constraint_removed',
] as const;

export const auditRecordSchema = z.object({
  id: z.string(),
  kind: z.string().describe(auditKinds.join(' | ')),
  at: z.string(),
  personIds: z.array(z.string()),
  survivorId: z.string().optional(),
  absorbedIds: z.array(z.string()).optional(),
  eventKey: z.string().optional().describe('source/id of the event that caused it'),
  linkId: z.string().optional(),
  linkIds: z
    .array(z.string())
    .optional()
    .describe('split: the links whose withdrawal split the person'),
  method: z.string().optional(),
  rule: z.string().optional(),
  confidence: z.number().optional(),
  reason: z.string().optional(),
  identifierType: z.string().optional(),
  limit: z.number().optional(),
  wouldHave: z.number().optional(),
  competingLinkId: z
    .string()
    .optional()
    .describe(
      'merge_refused: the most probable probabilistic link at either identifier of a refused probabilistic match (the match that won); link_withdrawn (reason better_match): the more probable match that replaced the link',
    ),
  competingConfidence: z.number().optional().describe("The competing link's probability"),
  jobId: z.string().optional(),
  reviewId: z.string().optional(),
  decision: z.string().optional().describe('match | no_match (review_decision)'),
  actor: z
    .string()
    .optional()
    .describe('Name of the API key that decided or made the privacy request, or cli:<user>'),
  modelVersion: z.string().optional(),
  requestId: z.string().optional().describe('The privacy request that caused it'),
  requestType: z.string().optional().describe('revoke | erase | access | unsuppress'),
  count: z.number().optional().describe('How many (suppressions added or lifted, ...)'),
  purposes: z.array(z.string()).optional(),
  note: z
    .string()
    .optional()
    .describe(
      "Manual operations: the operator's free-text reason (removed when a person it concerns is erased)",
    ),
  constraintIds: z
    .array(z.string())
    .optional()
    .describe('Constraints a manual operation added, or the one constraint_removed removed'),
  mergeAuditId: z.string().optional().describe('merge_reverted: the merge record reverted'),
  restoredId: z.string().optional().describe('merge_reverted: the absorbed person, active again'),
  revertedBy: z.string().optional().describe('merge: the merge_reverted record that reverted it'),
  sourceAuditId: z
    .string()
    .optional()
    .describe('constraint_added: the manual split or revert that added the constraints'),
});

export const auditListSchema = z.object({ records: z.array(auditRecordSchema) });

export const deadLetterSchema = z.object({
  id: z.string(),
  reason: z.string(),
  attempts: z.number().int(),
  failedAt: z.string().optional(),
  acceptedAt: z.string(),
  events: z.array(z.object({ source: z.string(), id: z.string() })),
});

export const deadLetterListSchema = z.object({
  total: z.number().int(),
  items: z.array(deadLetterSchema),
});

/** The optional consistency token header of read routes (see api/consistency.ts). */
export const consistencyHeaders = z.object({
  'x-idgraph-consistency': z
    .string()
    .regex(/^[A-Za-z0-9_-]+$/, 'a token idgraph issued (base64url)')
    .max(16_000)
    .optional()
    .describe(
      'Token from a `wait=true` ingest answer: the read then includes that write, on any API process or replica',
    ),
});

export const comparisonExplanationSchema = z.object({
  comparison: z.string(),
  attribute: z.string(),
  level: z.number().int().describe('Level index, most similar first; -1 when a value is missing'),
  label: z.string().describe('e.g. exact, jaroWinkler>=0.92, phonetic, missing'),
  m: z.number().nullable().describe('P(level | match)'),
  u: z.number().nullable().describe('P(level | non-match)'),
  weight: z.number().describe('log2(m/u) in bits, with any term-frequency adjustment'),
  tfAdjustment: z.number().optional().describe('Bits added because the value is rare (or common)'),
});

const matchExplanationSchema = z.object({
  probability: z.number(),
  matchWeight: z.number().describe('priorWeight + the sum of the comparison weights, in bits'),
  priorWeight: z.number().describe('log2(lambda / (1 - lambda))'),
  comparisons: z.array(comparisonExplanationSchema),
  held: z
    .enum(HOLD_REASONS)
    .optional()
    .describe(
      'Set when the probability reached MATCH_AUTO_THRESHOLD but the pair went to review: identity_evidence (nothing but MATCH_HOUSEHOLD_ATTRIBUTES agreed). A link withdrawn by rescoring for that reason carries it too.',
    ),
});

const linkEndSchema = z.object({
  type: z.string(),
  value: z.string(),
  personId: z.string().nullable(),
});

export const linkExplanationSchema = z.object({
  id: z.string(),
  status: z.string(),
  method: z.string(),
  rule: z.string(),
  confidence: z.number(),
  from: linkEndSchema,
  to: linkEndSchema,
  modelVersion: z.string().nullable(),
  recordIds: z.array(z.string()).describe('The two records the probability was computed on'),
  match: matchExplanationSchema
    .nullable()
    .describe('Comparison vector of a probabilistic link; null for other methods'),
  evidenceEvents: z.array(z.string()),
  evidenceCount: z.number().int(),
  sources: z.array(z.string()),
  purposes: z.array(z.string()),
});

/** A queue job id (a batch's or a dead letter's). */
export const jobIdParam = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/);

export const linkIdParam = z
  .string()
  .regex(/^lnk_[A-Za-z0-9_-]{1,64}$/, 'a link id (lnk_...)')
  .describe('A link id, as the links of a person list it');

export const reviewIdParam = z
  .string()
  .regex(/^rev_[A-Za-z0-9_-]{1,64}$/, 'a review id (rev_...)')
  .describe('A review id');

export const reviewSchema = z.object({
  id: z.string(),
  status: z.enum(['pending', 'decided']),
  probability: z.number(),
  matchWeight: z.number(),
  modelVersion: z.string(),
  explanation: z.unknown().describe('Comparison vector, as in GET /v1/links/{id}/explain'),
  createdAt: z.string(),
  decision: z.enum(['match', 'no_match']).optional(),
  reason: z.string().optional(),
  decidedBy: z.string().optional(),
  decidedAt: z.string().optional(),
  records: z.array(
    z.object({
      id: z.string(),
      source: z.string(),
      eventKey: z.string(),
      attributes: z.record(z.string(), z.string()).describe('Normalised values that were compared'),
      anchor: z
        .object({ type: z.string(), value: z.string() })
        .nullable()
        .describe('The identifier a link would join'),
      personId: z.string().nullable(),
    }),
  ),
});

export const reviewListSchema = z.object({ items: z.array(reviewSchema) });

export const reviewDecisionSchema = z
  .object({
    decision: z.enum(['match', 'no_match']),
    reason: z
      .string()
      .max(500)
      .optional()
      .describe('Kept on the review, not in the audit trail (free text may hold personal data)'),
  })
  .strict();

export const reviewDecisionResultSchema = z.object({
  reviewId: z.string(),
  decision: z.enum(['match', 'no_match']),
  personIds: z.array(z.string()).describe('match: the person now holding both; no_match: the two'),
});

export const changePageSchema = z.object({
  items: z
    .array(changeItemSchema)
    .describe('Entries in feed order (ids and counts only, never identifier values)'),
  cursor: z
    .string()
    .describe(
      'Resumes after the last item (with no items: where the next entry will be); pass it as `after`',
    ),
});
