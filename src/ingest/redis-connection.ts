import { Redis, type RedisOptions } from 'ioredis';
import { ServiceUnavailableError } from '../errors.js';
import { type Logger, safeError } from '../logger.js';

/**
 * Redis connections. Workers block on Redis and must never give up a command (BullMQ requires
 * `maxRetriesPerRequest: null`); the API side fails fast instead, so a request answers 503 when
 * Redis is down rather than hanging. Both reconnect by themselves when Redis is back.
 */
export function createRedis(url: string, role: 'worker' | 'api', logger?: Logger): Redis {
  const options: RedisOptions =
    role === 'worker'
      ? { maxRetriesPerRequest: null, enableReadyCheck: true }
      : {
          maxRetriesPerRequest: 1,
          enableOfflineQueue: false,
          connectTimeout: 3000,
          commandTimeout: 5000,
        };
  const redis = new Redis(url, {
    ...options,
    lazyConnect: false,
    retryStrategy: (times) => Math.min(times * 200, 2000),
  });
  // Without a listener ioredis prints every reconnection failure to stderr; log it once per outage.
  let down = false;
  redis.on('error', (error: unknown) => {
    if (!down) logger?.warn({ err: safeError(error), role }, 'redis connection lost; reconnecting');
    down = true;
  });
  redis.on('ready', () => {
    if (down) logger?.info({ role }, 'redis connection restored');
    down = false;
  });
  return redis;
}

/**
 * True for the errors a lost or refused Redis connection gives (ioredis and BullMQ), as opposed to
 * a command Redis refused. Duck-typed: ioredis errors may come from another realm in test sandboxes.
 */
export function isRedisConnectionError(error: unknown): boolean {
  const { message, code, name } = (error ?? {}) as {
    message?: unknown;
    code?: unknown;
    name?: unknown;
  };
  if (name === 'MaxRetriesPerRequestError') return true;
  if (
    typeof code === 'string' &&
    /^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|EHOSTUNREACH|ENOTFOUND|ECONNABORTED)$/.test(code)
  )
    return true;
  return (
    typeof message === 'string' &&
    /Connection|ECONNREFUSED|ECONNRESET|Stream isn't writeable|ETIMEDOUT|Command timed out|max retries per request/i.test(
      message,
    )
  );
}

/**
 * The `error` listener every BullMQ object (Queue, Worker, QueueEvents) gets. Without one, BullMQ
 * prints each reconnection failure to stderr as a raw stack trace. A lost connection is logged
 * once per outage by the connection itself ({@link createRedis}), so here it is only a debug
 * line; without a logger nothing is logged; any other error is logged with its class and code (never its message: it may quote data).
 */
export function onRedisError(
  logger: Logger | undefined,
  what: Record<string, unknown>,
): (error: unknown) => void {
  return (error) => {
    if (!logger) return;
    if (isRedisConnectionError(error))
      logger.debug({ err: safeError(error), ...what }, 'redis unavailable');
    else logger.error({ err: safeError(error), ...what }, 'queue error');
  };
}

/** Runs a Redis call for a client; a connection failure becomes a 503 (ServiceUnavailableError). */
export async function unavailableOnError<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (isRedisConnectionError(error)) throw new ServiceUnavailableError('redis', error);
    throw error;
  }
}

export type { Redis };
