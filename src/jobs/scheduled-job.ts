import { Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { onRedisError } from '../ingest/redis-connection.js';
import { type Logger, safeError } from '../logger.js';

/**
 * A recurring background task (the change feed's relay, its retention sweep) as a BullMQ job
 * scheduler: one scheduler per queue, shared by every worker process, makes the next job when one
 * starts, so the task runs about every `everyMs` across the whole deployment rather than once per
 * process. A run that fails (Neo4j away) is logged and the next one tries again. The task itself
 * must tolerate two runs at once (a slow run and the next one on another process): the feed's take
 * a lock in the graph.
 */

export interface ScheduledJobOptions {
  connection: Redis;
  prefix: string;
  /** Queue and scheduler name. */
  name: string;
  everyMs: number;
  run(): Promise<unknown>;
  logger: Logger;
}

export interface ScheduledJob {
  close(): Promise<void>;
}

export async function startScheduledJob(options: ScheduledJobOptions): Promise<ScheduledJob> {
  const { name, logger } = options;
  const queue = new Queue(name, { connection: options.connection, prefix: options.prefix });
  queue.on('error', onRedisError(logger, { task: name }));
  await queue.upsertJobScheduler(
    name,
    { every: options.everyMs },
    { name, opts: { removeOnComplete: true, removeOnFail: { count: 100 } } },
  );
  const worker = new Worker(
    name,
    async () => {
      await options.run();
    },
    { connection: options.connection, prefix: options.prefix, concurrency: 1 },
  );
  worker.on('failed', (_job, error) =>
    logger.warn({ err: safeError(error), task: name }, 'scheduled task failed; it runs again'),
  );
  worker.on('error', onRedisError(logger, { task: name }));
  return {
    async close() {
      await worker.close();
      await queue.close();
    },
  };
}
