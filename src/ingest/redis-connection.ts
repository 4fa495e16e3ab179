import { Redis, type RedisOptions } from 'ioredis';

/**
 * Redis connections. Workers block on Redis and must never give up a command (BullMQ requires
 * `maxRetriesPerRequest: null`); the API side fails fast instead, so a request answers 503 when
 * Redis is down rather than hanging.
 */
export function createRedis(url: string, role: 'worker' | 'api'): Redis {
  const options: RedisOptions =
    role === 'worker'
      ? { maxRetriesPerRequest: null, enableReadyCheck: true }
      : { maxRetriesPerRequest: 1, enableOfflineQueue: false, connectTimeout: 3000, commandTimeout: 5000 };
  return new Redis(url, { ...options, lazyConnect: false, retryStrategy: (times) => Math.min(times * 200, 2000) });
}

export type { Redis };
