import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { onRedisError, unavailableOnError } from '../ingest/redis-connection.js';
import type { Logger } from '../logger.js';
import { requestDeliveriesKey } from './webhook-queue.js';
import {
  PRIVACY_REQUEST_JOB,
  type PrivacyJobData,
  privacyJobDataSchema,
} from './privacy-job-contract.js';

/**
 * The producer side of the privacy queue (API and CLI). A request's job is retried with
 * exponential back-off; completed jobs are removed at once (their data holds the subject's
 * identifier keys), failed ones stay in the failed set with their reason until retried.
 */

export interface PrivacyQueueOptions {
  connection: Redis;
  queueName: string;
  prefix: string;
  attempts: number;
  /** The first retry's delay; each later one doubles it. */
  backoffMs?: number;
  /** Where the queue's Redis errors go (a lost connection is logged once by the connection). */
  logger?: Logger;
}

export type PrivacyQueue = ReturnType<typeof createPrivacyQueue>;

export function createPrivacyQueue(options: PrivacyQueueOptions) {
  const queue = new Queue<PrivacyJobData>(options.queueName, {
    connection: options.connection,
    prefix: options.prefix,
    defaultJobOptions: {
      attempts: options.attempts,
      backoff: { type: 'exponential', delay: options.backoffMs ?? 1000 },
      removeOnComplete: true,
      removeOnFail: false,
    },
  });
  queue.on('error', onRedisError(options.logger, { queue: 'privacy' }));

  return {
    /** Adds the request's job; a job with that id already in the queue is left as it is. */
    async enqueue(data: PrivacyJobData): Promise<void> {
      const parsed = privacyJobDataSchema.parse(data);
      await unavailableOnError(() =>
        queue.add(PRIVACY_REQUEST_JOB, parsed, { jobId: parsed.requestId }),
      );
    },

    /**
     * Why the request's job failed for good, when it is in the failed set: BullMQ's reason, or the
     * runner's (neither holds values). Undefined while it is queued, running or gone.
     */
    async failedReason(requestId: string): Promise<string | undefined> {
      return unavailableOnError(async () => {
        if ((await queue.getJobState(requestId)) !== 'failed') return undefined;
        const [reason] = await options.connection.hmget(queue.toKey(requestId), 'failedReason');
        return reason ?? 'failed';
      });
    },

    /** Webhook deliveries of the request's changes that receivers accepted. */
    async webhooksDelivered(requestId: string): Promise<number> {
      return unavailableOnError(() =>
        options.connection.scard(requestDeliveriesKey(options.prefix, requestId)),
      );
    },

    async close(): Promise<void> {
      await queue.close();
    },
  };
}
