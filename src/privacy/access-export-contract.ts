import { z } from 'zod';

/**
 * The document an access request exports (`GET /v1/privacy/requests/{id}/export`): everything
 * idgraph holds that concerns the subject, as one JSON document. Unlike every other privacy
 * document it holds personal data (identifier and attribute values): it is stored until it
 * expires (PRIVACY_EXPORT_TTL_HOURS) and answered to `audit:read` keys only. What also concerns
 * other people is left out and counted in `withheld`: links to identifiers that are not the
 * subject's, other identifiers of an event, the attributes of an event anchored on another
 * identifier, the other record of a review, other persons' ids in audit records. Times are
 * ISO-8601.
 */

const time = z.string().describe('ISO-8601');
const count = z.number().int().min(0);

const consentEntrySchema = z.object({
  granted: z.boolean(),
  at: time.describe("When it was asserted: the event's occurredAt, or the request's creation"),
  source: z.string().describe("The event's source, or `privacy_request`"),
  eventKey: z.string().nullable().describe('The event (source/id) that asserted it'),
  requestId: z.string().nullable().describe('The privacy request that asserted it'),
});

export const exportIdentifierSchema = z.object({
  type: z.string(),
  value: z.string().describe('As normalised'),
  personId: z.string().nullable(),
  firstSeen: time,
  lastSeen: time.nullable(),
  consent: z
    .array(
      consentEntrySchema.extend({
        purpose: z.string(),
        history: z
          .array(consentEntrySchema.extend({ recordedAt: time }))
          .describe('The first assertion and each one that flipped `granted`, oldest first'),
      }),
    )
    .describe('Current state per purpose, by purpose'),
});

const identifierRef = z.object({ type: z.string(), value: z.string() });

export const exportLinkSchema = z.object({
  id: z.string(),
  from: identifierRef,
  to: identifierRef,
  status: z.string().describe('active, refused or withdrawn'),
  method: z.string(),
  rule: z.string(),
  confidence: z.number(),
  modelVersion: z.string().optional(),
  sources: z.array(z.string()),
  purposes: z.array(z.string()).describe('Purposes its evidence consented to'),
  firstSeen: time,
  lastSeen: time,
  evidenceCount: z.number().int(),
  evidenceEvents: z.array(z.string()).describe('Newest events (source/id) that asserted it'),
});

export const exportRecordSchema = z.object({
  id: z.string(),
  eventKey: z.string().describe('The event (source/id) the record came from'),
  source: z.string(),
  anchor: identifierRef.describe('The identifier the attributes describe'),
  values: z.record(z.string(), z.unknown()).describe('Attributes as normalised for matching'),
  linking: z.boolean().describe('False: never compared (identity_linking denied)'),
  purposes: z.array(z.string()),
  createdAt: time,
});

export const exportEventSchema = z.object({
  key: z.string().describe('source/id'),
  source: z.string(),
  id: z.string(),
  occurredAt: time,
  receivedAt: time,
  identifiers: z
    .array(identifierRef)
    .describe("The event's identifiers that are the subject's, as sent"),
  attributes: z
    .record(z.string(), z.unknown())
    .optional()
    .describe('As sent, when the event is anchored on a subject identifier'),
  consent: z.object({ purposes: z.record(z.string(), z.boolean()) }).optional(),
  confidence: z.number().optional(),
});

export const exportReviewSchema = z.object({
  id: z.string(),
  status: z.string(),
  probability: z.number().nullable(),
  modelVersion: z.string().nullable(),
  decision: z.string().nullable(),
  reason: z.string().nullable(),
  decidedBy: z.string().nullable(),
  decidedAt: time.nullable(),
  createdAt: time,
  records: z.array(z.string()).describe("The subject's records it is about (ids)"),
});

export const exportPersonSchema = z.object({
  id: z.string(),
  status: z.string(),
  createdAt: time,
  updatedAt: time,
  mergedFrom: z.array(z.string()).describe('Person ids merged into it'),
});

export const privacyExportSchema = z.object({
  requestId: z.string(),
  createdAt: time,
  expiresAt: time.describe('After this the export is deleted and answers 404'),
  subject: z.object({
    personId: z.string().optional(),
    identifiers: count.describe('Identifiers the request named or the person held'),
    notFound: count,
  }),
  persons: z.array(exportPersonSchema),
  identifiers: z.array(exportIdentifierSchema),
  links: z.array(exportLinkSchema).describe("Links between the subject's identifiers"),
  records: z.array(exportRecordSchema),
  events: z.array(exportEventSchema).describe('Event-log entries that mention the subject'),
  reviews: z.array(exportReviewSchema),
  audit: z
    .array(
      z
        .object({ id: z.string(), kind: z.string(), at: time, personIds: z.array(z.string()) })
        .catchall(z.unknown()),
    )
    .describe(
      "Audit records concerning the subject's persons (ids only; other persons' ids left out), oldest first",
    ),
  withheld: z
    .object({
      links: count.describe('Links to identifiers that are not the subject’s'),
      eventIdentifiers: count.describe('Identifiers of those events that are not the subject’s'),
      eventAttributes: count.describe('Events whose attributes describe another identifier'),
      reviewRecords: count.describe('Records of those reviews that are not the subject’s'),
      auditPersonIds: count.describe(
        'Person ids in those audit records that are not the subject’s (a refused merge’s other side)',
      ),
    })
    .describe('What also concerns other people and was left out, counted'),
});
export type PrivacyExport = z.infer<typeof privacyExportSchema>;
