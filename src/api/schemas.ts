import { z } from 'zod';

/** Schemas shared by several routes (request and response), also used by tests to parse answers. */

export const jobStateSchema = z.enum(['waiting', 'active', 'completed', 'failed', 'delayed']);

export const enqueueResponseSchema = z.object({
  jobId: z.string(),
  accepted: z.number().int().describe('Events accepted into the queue'),
});

export const rejectionSchema = z.object({ eventId: z.string(), source: z.string(), reason: z.string() });

export const jobResponseSchema = z.object({
  jobId: z.string(),
  state: jobStateSchema,
  counts: z
    .object({ applied: z.number().int(), duplicates: z.number().int(), rejected: z.number().int() })
    .describe('Events applied, already applied before (same source and id), and rejected whole'),
  rejected: z.array(rejectionSchema).describe('Each rejected event and each value dropped from an applied event, with its reason'),
  failedReason: z.string().optional().describe('Why the job is in the dead-letter queue (state `failed`)'),
});

export const resolveItemSchema = z.object({ type: z.string().min(1).max(40), value: z.string().max(1024) }).strict();

export const resolveRequestSchema = z
  .object({
    identifiers: z.array(resolveItemSchema).min(1).max(1000),
    purpose: z.string().regex(/^[a-z][a-z0-9_]{0,63}$/).optional(),
  })
  .strict();

export const resolveResultSchema = z.object({
  type: z.string(),
  value: z.string(),
  personId: z.string().nullable(),
  confidence: z.number().min(0).max(1).optional(),
  reason: z.string().optional().describe('Why personId is null: not_found, blocked, invalid_email, ...'),
});

export const resolveResponseSchema = z.object({ results: z.array(resolveResultSchema) });

export const personSchema = z.object({
  id: z.string().describe('The active person (the survivor when a merged id was asked)'),
  requestedId: z.string(),
  status: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
  identifiers: z.array(z.object({ type: z.string(), value: z.string(), firstSeen: z.string(), lastSeen: z.string().nullable() })),
  mergedFrom: z.array(z.string()),
});

export const auditRecordSchema = z.object({
  id: z.string(),
  kind: z.string().describe('merge | merge_refused'),
  at: z.string(),
  personIds: z.array(z.string()),
  survivorId: z.string().optional(),
  absorbedIds: z.array(z.string()).optional(),
  eventKey: z.string().optional().describe('source/id of the event that caused it'),
  linkId: z.string().optional(),
  method: z.string().optional(),
  rule: z.string().optional(),
  confidence: z.number().optional(),
  reason: z.string().optional(),
  identifierType: z.string().optional(),
  limit: z.number().optional(),
  wouldHave: z.number().optional(),
  jobId: z.string().optional(),
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

export const deadLetterListSchema = z.object({ total: z.number().int(), items: z.array(deadLetterSchema) });
