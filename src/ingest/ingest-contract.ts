import { createHash } from 'node:crypto';
import { z } from 'zod';
import { eventKey, eventSchema, MAX_EVENTS_PER_BATCH } from '../events/event-schema.js';
import { attributeWarningsSchema, matchingOutcomeSchema } from '../resolver/batch-outcome.js';

/**
 * The ingest queue's contract: job name, payload and result. The producer validates before it adds
 * a job and the worker parses the payload again on every job (the queue is a trust boundary: any
 * process with Redis access can add to it).
 */

export const RESOLVE_BATCH_JOB = 'resolve-batch';

/**
 * Entries kept in the ingest queue's event stream (BullMQ's, which `?wait=true` reads). Each
 * completed entry carries the batch's outcome, so BullMQ's default length would hold thousands of
 * outcomes in Redis that no reader needs: a waiter reads the stream as it grows. Every Queue object
 * of the ingest queue passes this, since each writes it into the queue's settings in Redis.
 */
export const INGEST_QUEUE_STREAMS = { events: { maxLen: 1_000 } };

export const ingestPayloadSchema = z.object({
  events: z.array(eventSchema).min(1).max(MAX_EVENTS_PER_BATCH),
  /** When the API accepted the batch (ISO-8601), for end-to-end latency. */
  acceptedAt: z.string(),
});
export type IngestPayload = z.infer<typeof ingestPayloadSchema>;

export const jobResultSchema = z.object({
  applied: z.number().int(),
  duplicates: z.number().int(),
  rejectedEvents: z.number().int(),
  /** Identifiers dropped as suppressed (erased); absent in results of older versions. */
  suppressed: z.number().int().optional(),
  rejected: z.array(z.object({ eventId: z.string(), source: z.string(), reason: z.string() })),
  events: z.array(
    z.object({
      eventId: z.string(),
      source: z.string(),
      status: z.enum(['applied', 'duplicate']),
      personIds: z.array(z.string()).optional(),
    }),
  ),
  merges: z.number().int(),
  refusals: z.number().int(),
  /** Probabilistic matching of the batch's records (absent in results of older versions). */
  matching: matchingOutcomeSchema.optional(),
  /** Attribute values kept but not clean, by attribute name (absent in results of older versions). */
  attributeWarnings: attributeWarningsSchema.optional(),
  /** Neo4j bookmarks after the batch committed: the consistency token of `wait=true` answers. */
  bookmarks: z.array(z.string()).optional(),
});
export type JobResult = z.infer<typeof jobResultSchema>;

/**
 * Deterministic job id from the batch's event keys: a client that re-sends the same batch (a retry
 * after a timeout) gets the same job instead of a second one. Hex only: BullMQ reserves `:`.
 */
export function batchJobId(events: readonly { source: string; id: string }[]): string {
  const keys = events.map(eventKey).sort();
  return `b${createHash('sha256').update(keys.join('\n')).digest('hex').slice(0, 40)}`;
}
