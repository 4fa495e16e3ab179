import { type Job, Queue, UnrecoverableError, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { onRedisError } from '../ingest/redis-connection.js';
import type { Logger } from '../logger.js';

/**
 * The `webhooks` queue: one job per delivery (an entry for an endpoint), its id the delivery id,
 * so enqueueing a delivery again while its job is still in Redis adds nothing. A job that does not
 * get a 2xx is retried with exponential back-off; after its last attempt it stays in the queue's
 * failed set (the webhooks' dead letters) with the reason the delivery gave (the HTTP status or the
 * network error class), for as long as the feed keeps the entry. Completed jobs are kept an hour,
 * long enough for a relay that repeats its enqueue after a crash to find them.
 *
 * The payload and the delivery are the change feed's (src/changes/webhook-delivery.ts), handed in:
 * this layer owns only BullMQ.
 */

export const WEBHOOK_QUEUE = 'webhooks';
const DELIVER_JOB = 'deliver';
/** Jobs added to Redis in one round trip. */
const ADD_CHUNK = 500;

export interface WebhookJob {
  endpoint: string;
  deliveryId: string;
  body: string;
  requestId?: string | undefined;
}

/**
 * The set of delivered delivery ids of one privacy request's changes (a set: a delivery repeated
 * after a crash counts once), kept as long as the feed keeps entries.
 */
export function requestDeliveriesKey(prefix: string, requestId: string): string {
  return `${prefix}:${WEBHOOK_QUEUE}:delivered:${requestId}`;
}

export interface WebhookQueueOptions {
  connection: Redis;
  prefix: string;
  attempts: number;
  backoffMs: number;
  /** How long a dead-lettered delivery is kept. */
  failedRetentionSeconds: number;
  /** Where the queue's Redis errors go (a lost connection is logged once by the connection). */
  logger?: Logger;
}

export interface WebhookWorkerOptions {
  connection: Redis;
  prefix: string;
  /** How long a privacy request's delivered set is kept. */
  deliveredRetentionSeconds: number;
  concurrency: number;
  /** Checks a job's payload again (the queue's contract); undefined when it is not one. */
  parse(data: unknown): WebhookJob | undefined;
  /** Sends one delivery; throws with the reason when it was not accepted. */
  deliver(job: WebhookJob): Promise<void>;
  /** Told every attempt's outcome: `retried` when attempts remain, else `failed`. */
  onOutcome?(endpoint: string, outcome: 'delivered' | 'retried' | 'failed', seconds: number): void;
  logger: Logger;
}

export type WebhookQueue = ReturnType<typeof createWebhookQueue>;

export function createWebhookQueue(options: WebhookQueueOptions) {
  const queue = new Queue<WebhookJob, void, typeof DELIVER_JOB>(WEBHOOK_QUEUE, {
    connection: options.connection,
    prefix: options.prefix,
    defaultJobOptions: {
      attempts: options.attempts,
      backoff: { type: 'exponential', delay: options.backoffMs },
      removeOnComplete: { age: 3600 },
      removeOnFail: { age: options.failedRetentionSeconds },
    },
  });
  queue.on('error', onRedisError(options.logger, { queue: WEBHOOK_QUEUE }));
  return {
    /** Adds deliveries (job id = delivery id: one that is still queued is not added twice). */
    async enqueue(deliveries: readonly WebhookJob[]): Promise<void> {
      for (let i = 0; i < deliveries.length; i += ADD_CHUNK)
        await queue.addBulk(
          deliveries.slice(i, i + ADD_CHUNK).map((data) => ({
            name: DELIVER_JOB,
            data,
            opts: { jobId: data.deliveryId },
          })),
        );
    },

    /** Dead-lettered deliveries, newest first: the delivery, its reason and attempts. */
    async failed(
      limit = 100,
    ): Promise<{ deliveryId: string; endpoint: string; reason: string; attempts: number }[]> {
      const jobs = await queue.getFailed(0, limit - 1);
      return jobs.map((job) => ({
        deliveryId: job.data.deliveryId,
        endpoint: job.data.endpoint,
        reason: job.failedReason,
        attempts: job.attemptsMade,
      }));
    },

    async counts(): Promise<Record<string, number>> {
      return queue.getJobCounts('waiting', 'active', 'delayed', 'failed', 'completed');
    },

    close: () => queue.close(),
  };
}

export function createWebhookWorker(options: WebhookWorkerOptions): Worker<WebhookJob> {
  const started = new Map<string, number>();
  const worker = new Worker<WebhookJob>(
    WEBHOOK_QUEUE,
    async (job: Job<WebhookJob>) => {
      const data = options.parse(job.data);
      if (!data) throw new UnrecoverableError('invalid delivery payload');
      started.set(job.id!, performance.now());
      await options.deliver(data);
      if (data.requestId) {
        const key = requestDeliveriesKey(options.prefix, data.requestId);
        await options.connection
          .multi()
          .sadd(key, data.deliveryId)
          .expire(key, options.deliveredRetentionSeconds)
          .exec();
      }
    },
    {
      connection: options.connection,
      prefix: options.prefix,
      concurrency: options.concurrency,
    },
  );
  const seconds = (job: Job<WebhookJob>) => {
    const start = started.get(job.id!);
    started.delete(job.id!);
    return start === undefined ? 0 : (performance.now() - start) / 1000;
  };
  worker.on('completed', (job) =>
    options.onOutcome?.(job.data.endpoint, 'delivered', seconds(job)),
  );
  worker.on('failed', (job, error) => {
    if (!job) return;
    const final =
      job.attemptsMade >= (job.opts.attempts ?? 1) || error instanceof UnrecoverableError;
    options.onOutcome?.(job.data.endpoint, final ? 'failed' : 'retried', seconds(job));
    // The endpoint's name and the reason (a status or an error class), never its URL or the body.
    if (final)
      options.logger.warn(
        { endpoint: job.data.endpoint, deliveryId: job.id, reason: error.message },
        'webhook delivery failed for good',
      );
  });
  worker.on('error', onRedisError(options.logger, { worker: WEBHOOK_QUEUE }));
  return worker;
}
