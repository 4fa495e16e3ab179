import { Queue } from 'bullmq';
import { DeadLetterNotFoundError } from '../errors.js';
import type { IdentityEvent } from '../events/event-schema.js';
import {
  batchJobId,
  INGEST_QUEUE_STREAMS,
  type IngestPayload,
  type JobResult,
  jobResultSchema,
  RESOLVE_BATCH_JOB,
} from './ingest-contract.js';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import { createJobWaiter } from './job-waiter.js';
import { onRedisError, type RedisClient, unavailableOnError } from './redis-connection.js';

/**
 * The producer side of the ingest queue, used by the API: enqueue batches, report job state, and
 * manage the dead-letter queue.
 *
 * The dead-letter queue is the queue's own `failed` set: a job lands there after its last attempt,
 * or at once for a payload that can never succeed, and keeps its events and its reason until an
 * operator retries it. Failed jobs are never removed automatically, so nothing accepted is lost.
 */

export type JobState = 'waiting' | 'active' | 'completed' | 'failed' | 'delayed';

export interface JobView {
  jobId: string;
  state: JobState;
  result: JobResult | undefined;
  failedReason: string | undefined;
}

export interface DeadLetter {
  id: string;
  reason: string;
  attempts: number;
  failedAt: string | undefined;
  acceptedAt: string;
  events: { source: string; id: string }[];
}

export interface IngestQueueOptions {
  connection: RedisClient;
  queueName: string;
  prefix: string;
  attempts: number;
  /** Completed batches kept for their outcome: at most `count`, none older than `seconds`. */
  keepCompleted: { count: number; seconds: number };
  /** Where the queue's Redis errors go (a lost connection is logged once by the connection). */
  logger?: Logger;
}

export type IngestQueue = ReturnType<typeof createIngestQueue>;

function toState(state: string): JobState {
  if (state === 'completed' || state === 'failed' || state === 'active' || state === 'delayed')
    return state;
  // BullMQ's waiting-children / prioritized / wait all mean "not started yet" to a client.
  return 'waiting';
}

/** The retention of completed batches the configuration asks for (both producers use it). */
export function ingestJobsKept(
  config: Pick<Config, 'INGEST_JOBS_KEPT' | 'INGEST_JOBS_KEPT_SECONDS'>,
): IngestQueueOptions['keepCompleted'] {
  return { count: config.INGEST_JOBS_KEPT, seconds: config.INGEST_JOBS_KEPT_SECONDS };
}

export function createIngestQueue(options: IngestQueueOptions) {
  const queue = new Queue<IngestPayload, JobResult>(options.queueName, {
    connection: options.connection,
    prefix: options.prefix,
    streams: INGEST_QUEUE_STREAMS,
    defaultJobOptions: {
      attempts: options.attempts,
      backoff: { type: 'exponential', delay: 500 },
      // Completed jobs stay for clients to read their outcome (the worker drops their events),
      // bounded in number and age; failed ones stay until retried (the dead-letter queue).
      removeOnComplete: { age: options.keepCompleted.seconds, count: options.keepCompleted.count },
      removeOnFail: false,
    },
  });
  const onError = onRedisError(options.logger, { queue: 'ingest' });
  queue.on('error', onError);
  const waiter = createJobWaiter(queue, options.connection, onError);

  /**
   * A job's state and outcome without its payload. BullMQ's `getJob` loads and parses the whole job
   * (a batch of up to 1000 events) on every poll, and clients poll often; this reads the state, then
   * only the outcome fields of a finished job.
   */
  const view = async (jobId: string): Promise<JobView | undefined> => {
    const state = await queue.getJobState(jobId);
    if (state === 'unknown') return undefined;
    const known = toState(state);
    if (known !== 'completed' && known !== 'failed')
      return { jobId, state: known, result: undefined, failedReason: undefined };
    // BullMQ keeps a job as one hash under its key; its fields are part of BullMQ's stored format.
    const [returnvalue, failedReason] = await options.connection.hmget(
      queue.toKey(jobId),
      'returnvalue',
      'failedReason',
    );
    if (known === 'failed')
      return { jobId, state: known, result: undefined, failedReason: failedReason ?? undefined };
    const parsed = returnvalue ? jobResultSchema.safeParse(JSON.parse(returnvalue)) : undefined;
    return {
      jobId,
      state: known,
      result: parsed?.success ? parsed.data : undefined,
      failedReason: undefined,
    };
  };

  return {
    queue,

    /** Enqueues one batch. Re-sending the same batch returns the existing job. */
    async enqueue(events: IdentityEvent[]): Promise<{ jobId: string }> {
      const jobId = batchJobId(events);
      return unavailableOnError(async () => {
        const job = await queue.add(
          RESOLVE_BATCH_JOB,
          { events, acceptedAt: new Date().toISOString() },
          { jobId },
        );
        return { jobId: job.id ?? jobId };
      });
    },

    async getJob(jobId: string): Promise<JobView | undefined> {
      return unavailableOnError(() => view(jobId));
    },

    /** Waits up to `timeoutMs` for the job to finish; answers the job as it then is. */
    async waitForJob(jobId: string, timeoutMs: number): Promise<JobView | undefined> {
      const job = await unavailableOnError(() => queue.getJob(jobId));
      if (!job) return undefined;
      try {
        await waiter.wait(job, timeoutMs);
      } catch {
        // Timed out or failed: the caller reports the state either way.
      }
      return unavailableOnError(() => view(jobId));
    },

    async listDeadLetters(
      offset: number,
      limit: number,
    ): Promise<{ total: number; items: DeadLetter[] }> {
      return unavailableOnError(async () => {
        const [total, jobs] = await Promise.all([
          queue.getFailedCount(),
          queue.getFailed(offset, offset + limit - 1),
        ]);
        return {
          total,
          items: jobs.map((job) => ({
            id: job.id!,
            reason: job.failedReason,
            attempts: job.attemptsMade,
            failedAt: job.finishedOn ? new Date(job.finishedOn).toISOString() : undefined,
            acceptedAt: job.data.acceptedAt,
            events: job.data.events.map((e) => ({ source: e.source, id: e.id })),
          })),
        };
      });
    },

    /** Moves a dead-lettered job back to the queue; its events are applied (or dead-lettered) again. */
    async retryDeadLetter(id: string): Promise<{ jobId: string }> {
      return unavailableOnError(async () => {
        const job = await queue.getJob(id);
        if (!job || (await job.getState()) !== 'failed') throw new DeadLetterNotFoundError();
        await job.retry('failed', { resetAttemptsMade: true });
        return { jobId: job.id! };
      });
    },

    async depth(): Promise<Record<string, number>> {
      return queue.getJobCounts('waiting', 'active', 'delayed', 'failed', 'completed');
    },

    async ping(): Promise<void> {
      await unavailableOnError(async () => {
        await options.connection.ping();
      });
    },

    async close(): Promise<void> {
      await waiter.close();
      await queue.close();
    },
  };
}
