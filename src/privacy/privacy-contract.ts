import { z } from 'zod';
import { identifierInputSchema } from '../events/event-schema.js';

/**
 * The contract of privacy requests, shared by the API (`/v1/privacy/requests`), the CLI
 * (`idgraph privacy ...`) and the runner: the request body, the report and the view. Types are
 * derived from the schemas. Nothing here carries an identifier value except the request body's
 * subject, which the service turns into normalised keys (job data) and keyed hashes (graph).
 */

export const privacyRequestTypes = ['revoke', 'erase', 'access', 'unsuppress'] as const;
export type PrivacyRequestType = (typeof privacyRequestTypes)[number];

export const privacyRequestStatuses = ['pending', 'in_progress', 'completed', 'failed'] as const;
export type PrivacyRequestStatus = (typeof privacyRequestStatuses)[number];

export const MAX_SUBJECT_IDENTIFIERS = 1000;

export const privacyRequestIdSchema = z
  .string()
  .regex(/^prq_[A-Za-z0-9_-]{1,64}$/)
  .describe('Privacy request id (prq_...)');

const purposeSchema = z.string().regex(/^[a-z][a-z0-9_]{0,63}$/);

export const privacySubjectSchema = z
  .union([
    z.object({ personId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/) }).strict(),
    z
      .object({
        identifiers: z.array(identifierInputSchema).min(1).max(MAX_SUBJECT_IDENTIFIERS),
      })
      .strict(),
  ])
  .describe(
    'Whose data: a person (its identifiers when the request runs; a merged id means its survivor) or identifiers, normalised as ingestion does',
  );
export type PrivacySubject = z.infer<typeof privacySubjectSchema>;

export const privacyRequestBodySchema = z
  .object({
    type: z.enum(privacyRequestTypes),
    subject: privacySubjectSchema,
    purposes: z
      .array(purposeSchema)
      .min(1)
      .max(50)
      .optional()
      .describe('revoke only, and required there: the purposes the subject withdraws consent for'),
    reason: z
      .string()
      .trim()
      .min(1)
      .max(500)
      .describe(
        'Why, for the audit trail (a ticket reference): kept with the request, so it must not hold personal data; one that repeats a subject identifier is refused',
      ),
    requestId: z
      .string()
      .regex(/^[A-Za-z0-9._:-]{1,128}$/)
      .optional()
      .describe(
        'Client id of the request: a repeat with the same requestId returns the same request',
      ),
  })
  .strict()
  .superRefine((body, ctx) => {
    if (body.type === 'revoke' && body.purposes === undefined)
      ctx.addIssue({ code: 'custom', path: ['purposes'], message: 'required for revoke' });
    if (body.type !== 'revoke' && body.purposes !== undefined)
      ctx.addIssue({ code: 'custom', path: ['purposes'], message: 'only revoke takes purposes' });
    if (body.type === 'unsuppress' && !('identifiers' in body.subject))
      ctx.addIssue({
        code: 'custom',
        path: ['subject'],
        message: 'unsuppress names identifiers (a suppressed identifier belongs to no person)',
      });
  });
export type PrivacyRequestBody = z.infer<typeof privacyRequestBodySchema>;

const count = z.number().int().min(0);
const ids = z.array(z.string());

/**
 * What a request did, by id and count: no identifier or attribute value. A field appears once a
 * step has written it (0 included). Id lists keep their first 1,000 entries; `truncated` gives
 * the full count of each list that was cut.
 */
export const privacyReportSchema = z.object({
  subject: z
    .object({
      identifiers: count.describe('Distinct normalised identifiers of the subject'),
      notFound: count.describe(
        'Of those, identifiers idgraph does not hold; for a person subject, 1 when the id is unknown',
      ),
      invalid: z
        .record(z.string(), count)
        .optional()
        .describe('Given identifiers that cannot be normalised, by reason (invalid_email, ...)'),
      personId: z.string().optional().describe('The person the subject resolved to'),
    })
    .optional(),
  linksWithdrawn: ids.optional(),
  purposesRemoved: z
    .record(z.string(), z.array(z.string()))
    .optional()
    .describe('link id -> purposes it lost'),
  personsSplit: z.array(z.object({ personId: z.string(), parts: ids })).optional(),
  personsErased: ids.optional(),
  identifiersErased: count.optional(),
  recordsErased: count.optional(),
  eventsErased: count.optional(),
  eventsScrubbed: count.optional(),
  reviewsErased: count.optional(),
  jobsScrubbed: count.optional(),
  aofRewrite: z
    .enum(['started', 'failed'])
    .optional()
    .describe('erase: whether Redis started rewriting its append-only file (BGREWRITEAOF)'),
  suppressionsAdded: count.optional(),
  suppressionsLifted: count.optional(),
  exported: z
    .record(z.string(), count)
    .optional()
    .describe('access: what the export holds, counted'),
  webhooksDelivered: count.optional(),
  truncated: z
    .record(z.string(), count)
    .optional()
    .describe('Lists cut at 1,000 entries: list name -> its full count'),
  durationMs: count.optional().describe('From the request’s creation to its completion'),
});
export type PrivacyReport = z.infer<typeof privacyReportSchema>;

export const privacyRequestViewSchema = z.object({
  id: privacyRequestIdSchema,
  type: z.enum(privacyRequestTypes),
  status: z.enum(privacyRequestStatuses),
  requestId: z.string().optional().describe('The client’s requestId, when it gave one'),
  createdAt: z.string(),
  updatedAt: z.string(),
  actor: z.string().describe('API key name, or cli:<user>'),
  reason: z.string(),
  purposes: z.array(z.string()).optional(),
  stepsDone: z.array(z.string()).describe('Steps completed so far, in order'),
  report: privacyReportSchema.optional(),
  failure: z
    .string()
    .optional()
    .describe('failed: the step and the error class or code (no values)'),
});
export type PrivacyRequestView = z.infer<typeof privacyRequestViewSchema>;

export const privacyRequestAcceptedSchema = privacyRequestViewSchema.pick({
  id: true,
  status: true,
});

export const privacyRequestListSchema = z.object({
  items: z.array(privacyRequestViewSchema.omit({ report: true })),
  cursor: z.string().optional().describe('Pass as `cursor` for the next page; absent on the last'),
});
export type PrivacyRequestList = z.infer<typeof privacyRequestListSchema>;
