import { type Job, UnrecoverableError, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { onRedisError } from '../ingest/redis-connection.js';
import { type Logger, safeError } from '../logger.js';
import { JobFailure, type PrivacyJobData, privacyJobDataSchema } from './privacy-job-contract.js';

/**
 * The consumer side of the privacy queue. What a request does lives in src/privacy and comes in as
 * `run`: this layer parses the job's data, hands `run` a small handle on the job, and turns what
 * it throws into BullMQ's retry or dead letter.
 *
 * A worker killed mid-request loses nothing: BullMQ hands the stalled job to another worker once
 * its lock expires, and the runner resumes at the first step not done. Each stall counts against
 * `maxStalledCount`; past it BullMQ fails the job (`job stalled more than allowable limit`).
 */

/** What the job function gets: the request's data, and whether this is the job's last attempt. */
export interface PrivacyJob {
  readonly requestId: string;
  readonly data: PrivacyJobData;
  /** No retry follows a failure of this attempt: the function records the failure itself. */
  readonly finalAttempt: boolean;
  /** Replaces the job's data (kept in Redis for the next attempt, removed with the job). */
  update(data: PrivacyJobData): Promise<void>;
}

export interface PrivacyWorkerOptions {
  connection: Redis;
  queueName: string;
  prefix: string;
  concurrency: number;
  lockDurationMs: number;
  /** How often a job may be taken over from a crashed worker before it fails. */
  maxStalledCount: number;
  logger: Logger;
  /**
   * Runs one request. Throws {@link JobFailure} with a reason fit to store (no personal data); any
   * other error is stored by class and code only.
   */
  run(job: PrivacyJob): Promise<void>;
}

export function createPrivacyWorker(options: PrivacyWorkerOptions): Worker<PrivacyJobData> {
  const worker = new Worker<PrivacyJobData>(
    options.queueName,
    async (job: Job<PrivacyJobData>) => {
      const parsed = privacyJobDataSchema.safeParse(job.data);
      if (!parsed.success) {
        throw new UnrecoverableError(
          `invalid job data: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
        );
      }
      try {
        await options.run({
          requestId: parsed.data.requestId,
          data: parsed.data,
          finalAttempt: job.attemptsMade + 1 >= (job.opts.attempts ?? 1),
          update: (data) => job.updateData(privacyJobDataSchema.parse(data)),
        });
      } catch (error) {
        if (error instanceof JobFailure)
          throw error.permanent ? new UnrecoverableError(error.message) : new Error(error.message);
        const { name, code } = safeError(error);
        throw new Error(`privacy request failed: ${name}${code ? ` (${code})` : ''}`);
      }
    },
    {
      connection: options.connection,
      prefix: options.prefix,
      concurrency: options.concurrency,
      lockDuration: options.lockDurationMs,
      stalledInterval: options.lockDurationMs,
      maxStalledCount: options.maxStalledCount,
      autorun: true,
    },
  );
  worker.on('failed', (job, error) => {
    options.logger.warn(
      { requestId: job?.id, attempts: job?.attemptsMade, reason: error.message },
      'privacy request attempt failed',
    );
  });
  worker.on('error', onRedisError(options.logger, { worker: 'privacy' }));
  return worker;
}
