import { z } from 'zod';
import { auditRecordSchema } from './schemas.js';

/**
 * Wire shapes of GET /v1/persons/{id}/history: a page of history items (ids, rules, identifier
 * types; no values) or, with `at`, the person as it was then (values: persons:read as well).
 */

const auditFields = auditRecordSchema
  .omit({ id: true, at: true, kind: true, actor: true })
  .partial();

export const historyItemSchema = z
  .object({
    kind: z
      .string()
      .describe(
        'created | identifier_joined | any audit record kind (merge, merge_refused, split, link_withdrawn, review_decision, manual operations, privacy actions...)',
      ),
    at: z.string().describe('When (ISO 8601), as GET /v1/audit answers'),
    actor: z
      .string()
      .describe(
        "The audit record's actor (API key name, cli:<user>); `resolver` for the resolver's own changes",
      ),
    auditId: z
      .string()
      .nullable()
      .describe('The audit record; null for `created` and `identifier_joined`'),
    personId: z.string().optional().describe('created: the person created'),
    splitFrom: z.string().optional().describe('created: the person it was split from'),
    identifierCount: z.number().int().optional().describe('created: identifiers it started with'),
    identifierTypes: z
      .record(z.string(), z.number().int())
      .optional()
      .describe('created: those identifiers, counted by type'),
    eventKeys: z
      .array(z.string())
      .optional()
      .describe('identifier_joined: the newest event keys (source/id) the link keeps as evidence'),
    fromType: z.string().optional().describe("identifier_joined: the type of the link's from end"),
    toType: z.string().optional().describe("identifier_joined: the type of the link's to end"),
    status: z.string().optional().describe('identifier_joined: the link status now'),
    ...auditFields.shape,
  })
  .catchall(z.unknown())
  .describe('Fields of audit records pass through; kinds added later appear unchanged');

export const historyPageSchema = z.object({
  personId: z.string().describe('The person whose history this is (a merged id: its survivor)'),
  requestedId: z.string(),
  items: z.array(historyItemSchema),
  next: z.string().nullable().describe('Cursor of the next page; null on the last'),
});

export const personAtSchema = z.object({
  personId: z
    .string()
    .describe("The person that held the asked id's identifiers at that time (docs/api.md)"),
  requestedId: z.string(),
  at: z.string(),
  identifiers: z.array(z.object({ type: z.string(), value: z.string(), since: z.string() })),
  links: z.array(
    z.object({
      id: z.string(),
      from: z.object({ type: z.string(), value: z.string() }),
      to: z.object({ type: z.string(), value: z.string() }),
      method: z.string(),
      rule: z.string(),
      confidence: z.number(),
    }),
  ),
});
