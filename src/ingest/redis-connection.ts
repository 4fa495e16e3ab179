import { Redis, type RedisOptions } from 'ioredis';
import { ServiceUnavailableError } from '../errors.js';
import { type Logger, safeError } from '../logger.js';

/**
 * Redis connections. Workers block on Redis and must never give up a command (BullMQ requires
 * `maxRetriesPerRequest: null`); the API side fails fast instead, so a request answers 503 when
 * Redis is down rather than hanging.
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

/** Runs a Redis call for a client; a connection failure becomes a 503 (ServiceUnavailableError). */
export async function unavailableOnError<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    // Duck-typed: ioredis errors may come from another realm in test sandboxes.
    const message = (error as { message?: unknown } | null)?.message;
    if (
      typeof message === 'string' &&
      /Connection|ECONNREFUSED|Stream isn't writeable|ETIMEDOUT|Command timed out/i.test(message)
    ) {
      throw new ServiceUnavailableError('redis', error);
    }
    throw error;
  }
}

export type { Redis };
