import { type Job, type Queue, QueueEvents } from 'bullmq';
import { duplicateBlocking, isRedisConnectionError, type RedisClient } from './redis-connection.js';

/**
 * Waits for jobs of one queue to finish, for callers that answer only once a job is done (the
 * API's `?wait=true`, the model refresh's `trigger`).
 *
 * BullMQ's QueueEvents reads the queue's event stream from where it stands when its first read
 * reaches Redis, which is after it reports ready; a job that finished in between would be waited
 * for until the timeout. So the reader starts from the stream's last entry as it is before the
 * first job is waited for: every event after it is heard, whenever the read begins.
 *
 * When the reader loses Redis, the waits under way end at once (rejected with the connection's
 * error) rather than at their timeouts: the caller answers 503 now, not a hung request.
 */
export interface JobWaiter {
  /** Starts hearing the queue's events now, for a caller about to add the job it will wait for. */
  listen(): Promise<void>;
  /** The job's return value once it completes; rejects when it fails or `timeoutMs` passes. */
  wait<R>(job: Job<unknown, R>, timeoutMs: number): Promise<R>;
  close(): Promise<void>;
}

export function createJobWaiter(
  queue: Queue,
  connection: RedisClient,
  onError: (error: Error) => void,
): JobWaiter {
  let events: Promise<{ reader: QueueEvents; blocking: RedisClient }> | undefined;
  const waiting = new Set<(error: Error) => void>();

  async function open() {
    const [last] = await connection.xrevrange(queue.keys.events!, '+', '-', 'COUNT', 1);
    // A stream that does not exist yet: every entry it will get is new.
    const lastEventId = last?.[0] ?? '0-0';
    // A blocking stream read needs a connection of its own that never gives up a command.
    const blocking = duplicateBlocking(connection);
    // A duplicate has none of the original's listeners; without one ioredis prints each failed
    // reconnection to stderr during an outage.
    blocking.on('error', onError);
    const reader = new QueueEvents(queue.name, {
      connection: blocking,
      prefix: queue.opts.prefix,
      lastEventId,
    });
    reader.on('error', (error: Error) => {
      onError(error);
      if (isRedisConnectionError(error)) for (const fail of waiting) fail(error);
    });
    return { reader, blocking };
  }

  async function reader(): Promise<QueueEvents> {
    if (!events) {
      events = open();
      events.catch(() => (events = undefined));
    }
    const { reader } = await events;
    await reader.waitUntilReady();
    return reader;
  }

  return {
    async listen() {
      await reader();
    },
    async wait<R>(job: Job<unknown, R>, timeoutMs: number): Promise<R> {
      const events = await reader();
      let fail: (error: Error) => void = () => undefined;
      const lost = new Promise<never>((_, reject) => (fail = reject));
      waiting.add(fail);
      try {
        return await Promise.race([job.waitUntilFinished(events, timeoutMs), lost]);
      } finally {
        waiting.delete(fail);
      }
    },
    async close() {
      const opened = await events?.catch(() => undefined);
      await opened?.reader.close();
      await opened?.blocking.quit().catch(() => undefined);
    },
  };
}
