import { Queue, Worker } from 'bullmq';
import { type Logger, safeError } from '../logger.js';
import { createJobWaiter } from './job-waiter.js';
import { onRedisError, type RedisClient } from './redis-connection.js';

/**
 * The queue plumbing of the model refresh (u estimated from the graph's records): a queue of its
 * own with a BullMQ job scheduler that adds a check every {@link MODEL_REFRESH_CHECK_MS}, and a
 * worker in every worker process that runs it. The queue's global concurrency is 1, so however
 * many processes run workers, one check runs at a time; each decides for itself whether a refresh
 * is due (src/matching/refresh/), and the graph refuses a second activation of the same decision.
 *
 * What a check does is passed in (`run`): this module only schedules and runs it. Its outcome is
 * the job's return value, so it holds counts and versions only, never a value. A check that fails
 * is logged and not retried: the next one comes a few minutes later.
 */

/** The scheduler's id and its jobs' name: one scheduler per queue, whoever upserts it. */
export const MODEL_REFRESH_SCHEDULER = 'model-refresh-check';
export const MODEL_REFRESH_JOB = 'refresh-model';

/** Between two checks: the check itself is one cheap read unless a refresh is due. */
export const MODEL_REFRESH_CHECK_MS = 5 * 60_000;

/** The refresh queue of an ingest queue: next to it, so deployments sharing Redis stay apart. */
export const modelRefreshQueueName = (ingestQueue: string) => `${ingestQueue}-model-refresh`;

export interface ModelRefreshOptions<R> {
  connection: RedisClient;
  queueName: string;
  prefix: string;
  /** The check: decides and refreshes; stops early when `signal` aborts (shutdown). */
  run: (signal: AbortSignal) => Promise<R>;
  logger: Logger;
  everyMs?: number;
  lockDurationMs?: number;
}

export interface ModelRefresh<R> {
  /** Queues a check now and waits for its outcome (after any check under way). */
  trigger(timeoutMs?: number): Promise<R>;
  /** Stops this process's worker (a check under way is asked to stop) and closes the queue. */
  close(): Promise<void>;
}

const KEPT = { removeOnComplete: { count: 20 }, removeOnFail: { count: 20 } };

export async function createModelRefresh<R>(
  options: ModelRefreshOptions<R>,
): Promise<ModelRefresh<R>> {
  const { connection, queueName, prefix, logger } = options;
  const queue = new Queue<Record<string, never>, R>(queueName, {
    connection,
    prefix,
    defaultJobOptions: { attempts: 1, ...KEPT },
  });
  const onError = onRedisError(logger, { task: 'model-refresh' });
  queue.on('error', onError);
  await queue.setGlobalConcurrency(1);
  await queue.upsertJobScheduler(
    MODEL_REFRESH_SCHEDULER,
    { every: options.everyMs ?? MODEL_REFRESH_CHECK_MS },
    { name: MODEL_REFRESH_JOB, data: {}, opts: { attempts: 1, ...KEPT } },
  );
  const stopping = new AbortController();
  const worker = new Worker<Record<string, never>, R>(
    queueName,
    async () => options.run(stopping.signal),
    {
      connection,
      prefix,
      concurrency: 1,
      lockDuration: options.lockDurationMs ?? 30_000,
      autorun: true,
    },
  );
  worker.on('failed', (job, error) =>
    logger.warn({ jobId: job?.id, err: safeError(error) }, 'model refresh check failed'),
  );
  worker.on('error', onError);
  const waiter = createJobWaiter(queue, connection, onError);

  return {
    async trigger(timeoutMs = 300_000) {
      await waiter.listen();
      const job = await queue.add(MODEL_REFRESH_JOB, {});
      return waiter.wait(job, timeoutMs);
    },
    async close() {
      stopping.abort();
      await worker.close();
      await waiter.close();
      await queue.close();
    },
  };
}
