import { z } from 'zod';

/**
 * The change feed's entry contract: what downstream services hear when persons change. Entries
 * hold ids, counts and purposes only, never an identifier or attribute value, so the feed, its
 * webhooks and the `ChangeBatch` nodes that store it can outlive the personal data they describe
 * (an erased person's entries stay). Every id is checked against the shape idgraph's ids have, so
 * a value cannot travel in an id field.
 */

export const CHANGE_TYPES = [
  'person.created',
  'person.merged',
  'person.split',
  'identifier.moved',
  'person.erased',
  'consent.changed',
  'person.restored',
] as const;

export type ChangeType = (typeof CHANGE_TYPES)[number];

/** A person id (`per_` and 128 random bits, base64url; src/ids.ts): never a value. */
const personId = z
  .string()
  .regex(/^per_[A-Za-z0-9_-]{1,64}$/, 'a person id (per_…)')
  .describe('A person id');

/** When the change happened, epoch milliseconds (the time its audit records carry). */
const at = z.number().int().nonnegative();

const purpose = z.string().regex(/^[a-z][a-z0-9_]{0,63}$/, 'a purpose name');

/** An entry about one person and nothing else. */
const aboutPerson = <T extends string>(type: T, description: string) =>
  z
    .object({ type: z.literal(type), at, personId })
    .strict()
    .describe(description);

export const personCreatedSchema = aboutPerson('person.created', 'A new person');

export const personMergedSchema = z
  .object({
    type: z.literal('person.merged'),
    at,
    absorbedId: personId.describe('The person merged away: its id now resolves to survivorId'),
    survivorId: personId,
  })
  .strict()
  .describe('Two persons became one');

export const personSplitSchema = z
  .object({
    type: z.literal('person.split'),
    at,
    personId: personId.describe(
      'The person that was split; it keeps the part with its oldest identifier (a manual split: the oldest identifier not named)',
    ),
    parts: z.array(personId).min(1).describe('The new persons split off from it'),
  })
  .strict()
  .describe('A person no longer held together and was partitioned');

export const identifierMovedSchema = z
  .object({
    type: z.literal('identifier.moved'),
    at,
    fromPersonId: personId,
    toPersonId: personId,
    count: z.number().int().min(1).describe('How many identifiers moved'),
  })
  .strict()
  .describe(
    'Identifiers moved between persons other than by a merge (a split, a revocation, an erasure)',
  );

export const personErasedSchema = aboutPerson(
  'person.erased',
  'A person was erased: its id answers as unknown from now on',
);

export const personRestoredSchema = z
  .object({
    type: z.literal('person.restored'),
    at,
    personId: personId.describe('The person active again, under its old id'),
    fromPersonId: personId.describe(
      'The person it had been merged into; the identifiers it takes back are moved from there (identifier.moved)',
    ),
  })
  .strict()
  .describe(
    'A merge was reverted: the id answers for its own identifiers again (POST /v1/audit/{auditId}/revert)',
  );

export const consentChangedSchema = z
  .object({
    type: z.literal('consent.changed'),
    at,
    personId,
    purposes: z.array(purpose).min(1),
    granted: z.boolean(),
    identifiers: z
      .number()
      .int()
      .min(1)
      .describe("How many of the person's identifiers it concerns"),
  })
  .strict()
  .describe("Consent of some of a person's identifiers changed for these purposes");

/** One change, as `appendChanges` takes it and the graph stores it. */
export const changeEntrySchema = z.discriminatedUnion('type', [
  personCreatedSchema,
  personMergedSchema,
  personSplitSchema,
  identifierMovedSchema,
  personErasedSchema,
  consentChangedSchema,
  personRestoredSchema,
]);

export type ChangeEntry = z.infer<typeof changeEntrySchema>;

/** The entries of one transaction, as `ChangeBatch.entries` holds them (JSON). */
export const changeEntriesSchema = z.array(changeEntrySchema);

/**
 * One entry as the feed (`GET /v1/changes`) and webhooks deliver it: the stored entry with its
 * `at` as an ISO time and the cursor that resumes the feed after it.
 */
const itemFields = {
  at: z.string().describe('When the change happened (ISO 8601)'),
  cursor: z.string().describe('Resumes the feed after this entry (GET /v1/changes?after=)'),
};

export const changeItemSchema = z.discriminatedUnion('type', [
  personCreatedSchema.extend(itemFields),
  personMergedSchema.extend(itemFields),
  personSplitSchema.extend(itemFields),
  identifierMovedSchema.extend(itemFields),
  personErasedSchema.extend(itemFields),
  consentChangedSchema.extend(itemFields),
  personRestoredSchema.extend(itemFields),
]);

export type ChangeItem = z.infer<typeof changeItemSchema>;

/** An entry as the feed and webhooks give it. */
export function toItem(entry: ChangeEntry, cursor: string): ChangeItem {
  return { ...entry, at: new Date(entry.at).toISOString(), cursor };
}
