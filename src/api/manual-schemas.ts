import { z } from 'zod';
import { identifierInputSchema } from '../events/event-schema.js';

/** Request and answer schemas of the manual operations and constraints (manual-routes.ts). */

export const operatorReason = z
  .string()
  .trim()
  .min(1)
  .max(500)
  .describe(
    "Why: kept as the audit records' `note`. Do not put personal data here (an erasure removes notes of the persons it concerns)",
  );

const plainPersonId = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,64}$/, 'a person id')
  .describe('A person id (`per_…`); a merged id stands for the person it was merged into');

export const mergeRequestSchema = z.object({
  personIds: z.array(plainPersonId).min(2).max(100),
  reason: operatorReason,
});

export const splitRequestSchema = z.object({
  identifiers: z
    .array(identifierInputSchema)
    .min(1)
    .max(1000)
    .describe("The person's identifiers to move out, normalised as ingestion does"),
  keepApart: z
    .boolean()
    .default(false)
    .describe(
      'Record a keep-apart constraint so that no rule joins them again until it is deleted',
    ),
  reason: operatorReason,
});

export const revertRequestSchema = z.object({ reason: operatorReason });

export const constraintDeleteSchema = z.object({ reason: operatorReason });

const identifierGroupSchema = z.object({
  type: z.string(),
  count: z.number().int(),
  values: z
    .array(z.string())
    .optional()
    .describe('Normalised values, only for a key that also has persons:read'),
});

export const manualOutcomeSchema = z.object({
  dryRun: z.boolean(),
  auditId: z
    .string()
    .describe("The operation's audit record (a dry run's was rolled back and does not exist)"),
  persons: z
    .array(
      z.object({
        personId: z
          .string()
          .describe(
            'In a dry run, a created person’s id is a placeholder: the real run makes a new one',
          ),
        status: z.string().describe('active, or merged for a person merged away'),
        created: z.boolean(),
        identifiersIn: z.array(identifierGroupSchema),
        identifiersOut: z.array(identifierGroupSchema),
      }),
    )
    .describe('Every person the operation touched, the one it was about first'),
  linksWithdrawn: z.array(z.string()),
  constraintsAdded: z.array(
    z.object({
      id: z.string(),
      kind: z.literal('keep_apart'),
      personIds: z.array(z.string()).length(2),
    }),
  ),
});

export const constraintSchema = z.object({
  id: z.string(),
  kind: z.enum(['no_match', 'keep_apart']),
  createdAt: z.string().nullable(),
  actor: z.string().nullable().describe('The API key that made it (keep_apart)'),
  reviewId: z.string().nullable().describe('The review decided no_match'),
  auditId: z.string().nullable().describe('The manual split or revert that added it'),
  identifiers: z
    .array(z.object({ type: z.string(), personId: z.string().nullable() }))
    .describe("Its two identifiers' types and current persons (never their values)"),
});

export const constraintPageSchema = z.object({
  items: z.array(constraintSchema),
  next: z.string().nullable().describe('The cursor of the next page; null on the last'),
});

export const constraintRemovedSchema = z.object({ auditId: z.string() });
