import { type Job, UnrecoverableError, Worker } from 'bullmq';
import type { RedisClient } from './redis-connection.js';
import { type Logger, safeError } from '../logger.js';
import { onRedisError } from './redis-connection.js';
import type { ResolverService } from '../resolver/resolver-service.js';
import { type IngestPayload, ingestPayloadSchema, type JobResult } from './ingest-contract.js';

/**
 * The consumer side: resolves each batch with the resolver. A payload that does not parse can never
 * succeed, so it goes straight to the dead-letter queue (UnrecoverableError) with its reason; any
 * other failure is retried with back-off and dead-lettered after the last attempt.
 *
 * A worker killed mid-batch loses nothing: its transaction never committed (or did, and the event
 * log turns the replay into a no-op), and BullMQ hands the stalled job to another worker once its
 * lock expires.
 */

export interface IngestWorkerOptions {
  connection: RedisClient;
  queueName: string;
  prefix: string;
  concurrency: number;
  lockDurationMs?: number;
  resolver: Pick<ResolverService, 'resolveBatch'>;
  logger: Logger;
  onBatch?: (result: JobResult, durationMs: number) => void;
}

export function createIngestWorker(options: IngestWorkerOptions): Worker<IngestPayload, JobResult> {
  const worker = new Worker<IngestPayload, JobResult>(
    options.queueName,
    async (job: Job<IngestPayload, JobResult>) => {
      const parsed = ingestPayloadSchema.safeParse(job.data);
      if (!parsed.success) {
        throw new UnrecoverableError(
          `invalid payload: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
        );
      }
      const started = performance.now();
      let result: JobResult;
      let scrubbed: IngestPayload['events'] | undefined;
      try {
        ({ scrubbed, ...result } = await options.resolver.resolveBatch(
          job.id!,
          parsed.data.events,
        ));
      } catch (error) {
        // The reason is stored with the job and shown in the dead-letter queue: class and code only,
        // since a driver message may quote the statement's values.
        const { name, code } = safeError(error);
        throw new Error(`resolver failed: ${name}${code ? ` (${code})` : ''}`);
      }
      // Suppressed (erased) identifiers leave the job's stored payload at once: a dead-letter retry
      // must not bring them back.
      if (scrubbed) await job.updateData({ ...parsed.data, events: scrubbed });
      const durationMs = performance.now() - started;
      options.onBatch?.(result, durationMs);
      options.logger.debug(
        {
          jobId: job.id,
          applied: result.applied,
          duplicates: result.duplicates,
          rejected: result.rejected.length,
          suppressed: result.suppressed,
          durationMs,
        },
        'batch resolved',
      );
      return result;
    },
    {
      connection: options.connection,
      prefix: options.prefix,
      concurrency: options.concurrency,
      lockDuration: options.lockDurationMs ?? 30_000,
      // Look for stalled jobs (a crashed worker's) as often as a lock can expire.
      stalledInterval: options.lockDurationMs ?? 30_000,
      autorun: true,
    },
  );
  // Once applied, a batch's events live in the graph's event log (replay reads them there); the
  // completed job is kept for its outcome alone, so identifier values do not stay in Redis for as
  // long as jobs are kept. A job that retention removed first needs nothing; one whose payload
  // stays (Redis lost in between, a worker stopped) is what an erasure's queue scrub rewrites.
  worker.on('completed', (job) => {
    job.updateData({ events: [], acceptedAt: job.data.acceptedAt }).catch(() => undefined);
  });
  worker.on('failed', (job, error) => {
    options.logger.warn(
      { jobId: job?.id, attempts: job?.attemptsMade, reason: error.message },
      'batch failed',
    );
  });
  worker.on('error', onRedisError(options.logger, { worker: 'ingest' }));
  return worker;
}
