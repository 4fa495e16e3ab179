import { z } from 'zod';

/**
 * The identity event: the public contract of `POST /v1/events` and the payload of the ingest queue.
 * Shape only: identifier values are normalised (and may be rejected one by one) by the resolver,
 * so one bad value never fails a whole batch.
 */

export const identifierInputSchema = z
  .object({
    type: z
      .string()
      .min(1)
      .max(40)
      .describe(
        'Identifier type: email, phone, user_id, crm_id, device_id, cookie_id, maid, hashed_email, external_id, or a configured one.',
      ),
    value: z.string().max(1024).describe('Raw value; normalised exactly as ingestion does.'),
  })
  .strict();

const attributeValue = z.union([z.string().max(1024), z.number(), z.boolean(), z.null()]);

export const attributesSchema = z
  .object({
    firstName: z.string().max(200).optional(),
    lastName: z.string().max(200).optional(),
    dateOfBirth: z
      .string()
      .max(100)
      .optional()
      .describe(
        'YYYY-MM-DD (also YYYY/MM/DD or YYYYMMDD). Any other text is kept as given and compared as text; the job outcome counts it under `attributeWarnings`.',
      ),
    gender: z.string().max(50).optional(),
    street: z.string().max(300).optional(),
    streetNumber: z.string().max(50).optional(),
    city: z.string().max(200).optional(),
    postcode: z.string().max(50).optional(),
    state: z.string().max(100).optional(),
    country: z.string().max(100).optional(),
  })
  .catchall(attributeValue)
  .describe('Person attributes used by probabilistic matching.');

export const consentSchema = z
  .object({
    purposes: z
      .record(z.string().regex(/^[a-z][a-z0-9_]{0,63}$/), z.boolean())
      .describe(
        'Purpose -> granted. `identity_linking: false` records the identifiers but links none of them.',
      ),
  })
  .strict();

export const eventSchema = z
  .object({
    id: z.string().min(1).max(200).describe('With `source`, the idempotency key of the event.'),
    source: z
      .string()
      .regex(/^[A-Za-z0-9_.-]{1,64}$/, 'letters, digits, `_`, `.`, `-`; at most 64')
      .describe('System of origin: web, crm, pos, ...'),
    occurredAt: z.iso
      .datetime({ offset: true })
      .describe('When the source saw the identifiers together (ISO-8601).'),
    identifiers: z.array(identifierInputSchema).min(1).max(50),
    attributes: attributesSchema.optional(),
    consent: consentSchema.optional(),
    confidence: z
      .number()
      .gt(0)
      .max(1)
      .optional()
      .describe(
        "How sure the source is that these identifiers belong together (e.g. a cross-device vendor's score); default 1. Links keep the highest confidence any evidence gave them.",
      ),
  })
  .strict();

export type IdentityEvent = z.infer<typeof eventSchema>;

export const MAX_EVENTS_PER_BATCH = 1000;

export const eventBatchSchema = z
  .object({ events: z.array(eventSchema).min(1).max(MAX_EVENTS_PER_BATCH) })
  .strict();

/** The event's idempotency key. `source` cannot contain `/`, so the key is unambiguous. */
export const eventKey = (event: Pick<IdentityEvent, 'source' | 'id'>): string =>
  `${event.source}/${event.id}`;
