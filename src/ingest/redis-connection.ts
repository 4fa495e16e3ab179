import { Cluster, type ClusterOptions, Redis, type RedisOptions } from 'ioredis';
import { ServiceUnavailableError } from '../errors.js';
import { type Logger, safeError } from '../logger.js';
import { parseRedisUrl } from './redis-url.js';

/** One Redis server or a Redis Cluster: every Redis user takes either (BullMQ does too). */
export type RedisClient = Redis | Cluster;

/**
 * Redis connections, to one server or to a cluster (`redis+cluster://`, src/ingest/redis-url.ts).
 * Workers block on Redis and must never give up a command (BullMQ requires
 * `maxRetriesPerRequest: null`); the API side fails fast instead, so a request answers 503 when
 * Redis is down rather than hanging. Both reconnect by themselves when Redis is back.
 */
export function createRedis(url: string, role: 'worker' | 'api', logger?: Logger): RedisClient {
  const options: RedisOptions =
    role === 'worker'
      ? { maxRetriesPerRequest: null, enableReadyCheck: true }
      : {
          maxRetriesPerRequest: 1,
          enableOfflineQueue: false,
          connectTimeout: 3000,
          commandTimeout: 5000,
        };
  const retryStrategy = (times: number) => Math.min(times * 200, 2000);
  const target = parseRedisUrl(url);
  const redis: RedisClient =
    target.kind === 'cluster'
      ? new Cluster(target.nodes, {
          redisOptions: {
            ...options,
            username: target.username,
            password: target.password,
            ...(target.tls ? { tls: {} } : {}),
          },
          clusterRetryStrategy: retryStrategy,
          enableOfflineQueue: role === 'worker',
          // With TLS, connect to the seed nodes by name so their certificates are checked against
          // it: ioredis otherwise resolves the names to addresses first, and the check fails.
          ...(target.tls
            ? {
                dnsLookup: (address: string, done: (e: null, a: string) => void) =>
                  done(null, address),
              }
            : {}),
        })
      : new Redis(url, { ...options, lazyConnect: false, retryStrategy });
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
 * A connection like `connection` that never gives up a command, for a blocking reader such as
 * BullMQ's QueueEvents (a cluster takes its node options apart from its own).
 */
export function duplicateBlocking(connection: RedisClient): RedisClient {
  const blocking = {
    maxRetriesPerRequest: null,
    enableOfflineQueue: true,
    commandTimeout: undefined,
  } satisfies RedisOptions;
  if (connection instanceof Cluster) {
    const options: ClusterOptions = {
      enableOfflineQueue: true,
      redisOptions: { ...connection.options.redisOptions, ...blocking },
    };
    return connection.duplicate([], options);
  }
  return connection.duplicate(blocking);
}

/**
 * The servers behind a connection, for commands that act on one server (BGREWRITEAOF, SCAN): the
 * server itself, or a cluster's nodes (`all`: replicas too; `master`: those that own the keys).
 */
export function redisServers(connection: RedisClient, role: 'all' | 'master' = 'all'): Redis[] {
  return connection instanceof Cluster ? connection.nodes(role) : [connection];
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
    /Connection|ECONNREFUSED|ECONNRESET|Stream isn't writeable|ETIMEDOUT|Command timed out|max retries per request|Cluster isn't ready|CLUSTERDOWN/i.test(
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

export type { Cluster, Redis };
