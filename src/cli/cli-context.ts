import { pino } from 'pino';
import { type Config, ConfigError, loadConfig, serviceAddresses } from '../config.js';
import { ServiceUnavailableError } from '../errors.js';
import { createGraph, type Graph } from '../graph/graph-client.js';
import { createRedis, type RedisClient } from '../ingest/redis-connection.js';
import { redactRedisUrl } from '../ingest/redis-url.js';
import { type Logger, loggerOptions, safeError } from '../logger.js';
import { redactUri } from '../logger.js';

/**
 * What every CLI command shares: exit codes, the parsed config, a logger on stderr, and connections
 * to Neo4j and Redis that either answer within the connect timeout or fail with exit code 3.
 * Whoever opens a connection closes it: each command closes what it opened before it returns.
 */

/** The documented exit codes (docs/cli.md). Scripts switch on them: never renumber. */
export const ExitCode = {
  ok: 0,
  /** Nothing found, or an ingest run with rejected events or failed batches. */
  notFound: 1,
  /** Bad usage, invalid configuration, or an unusable input file. */
  usage: 2,
  /** Neo4j or Redis cannot be reached (or refuses us). */
  unavailable: 3,
  /** `ingest` gave up waiting: no batch finished within `--timeout`. */
  timeout: 4,
  /** An unexpected error: a bug; the message names the error class, `--verbose` logs its stack. */
  internal: 70,
  /** Interrupted by SIGINT / SIGTERM. */
  interrupted: 130,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** An error the CLI reports as one line on stderr and turns into its exit code. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** Where the CLI writes; the process streams in production, buffers in tests. */
export interface Output {
  write(chunk: string): unknown;
  isTTY?: boolean | undefined;
}

export interface CliIo {
  stdout: Output;
  stderr: Output;
  env: Readonly<Record<string, string | undefined>>;
}

export interface CliContext {
  io: CliIo;
  config: Config;
  logger: Logger;
  connectTimeoutMs: number;
  /** Aborted on SIGINT / SIGTERM: long commands stop, close their clients and exit 130. */
  signal: AbortSignal;
}

export interface GlobalOptions {
  verbose: boolean;
  connectTimeout: number;
}

/** Parses the same environment as the service; a bad variable is a usage error (exit 2). */
export function cliConfig(env: CliIo['env']): Config {
  try {
    return loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) throw new CliError(error.message, ExitCode.usage);
    throw error;
  }
}

/** JSON logs on stderr (stdout carries results), at `warn` unless `--verbose`, with the service's redaction. */
export function cliLogger(stderr: Output, verbose: boolean): Logger {
  return pino(loggerOptions(verbose ? 'debug' : 'warn'), {
    write: (line: string) => void stderr.write(line),
  });
}

export function createContext(io: CliIo, globals: GlobalOptions, signal: AbortSignal): CliContext {
  const config = cliConfig(io.env);
  return {
    io,
    config,
    logger: cliLogger(io.stderr, globals.verbose),
    connectTimeoutMs: globals.connectTimeout * 1000,
    signal,
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

class ConnectTimeout extends Error {}

function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** Why Neo4j refused us, from the error code only (driver messages may quote parameters). */
function neo4jProblem(error: unknown, uri: string, timeoutMs: number): string {
  const code = errorCode(error);
  if (code === 'Neo.ClientError.Security.Unauthorized') {
    return `neo4j at ${uri} refused the credentials (NEO4J_USER / NEO4J_PASSWORD)`;
  }
  if (code === 'Neo.ClientError.Database.DatabaseNotFound') {
    return `neo4j at ${uri} has no such database (NEO4J_DATABASE)`;
  }
  if (error instanceof ConnectTimeout || error instanceof ServiceUnavailableError) {
    return `neo4j at ${uri} did not answer within ${timeoutMs / 1000} s`;
  }
  const { name } = safeError(error);
  return `neo4j at ${uri} failed: ${name}${code ? ` (${code})` : ''}`;
}

/**
 * Opens the graph exactly as the service does and pings it. The driver retries an unreachable
 * server for up to 30 s inside a managed transaction, so the ping races the connect timeout.
 * `uri`: another graph than the config's (`replay`'s target, `diff`'s graphs), with the same
 * credentials and database name.
 */
export async function connectGraph(
  ctx: Pick<CliContext, 'config' | 'logger' | 'connectTimeoutMs' | 'signal'>,
  uri?: string,
): Promise<Graph> {
  const { config, logger, connectTimeoutMs, signal } = ctx;
  const neo4jUri = uri ?? serviceAddresses(config).neo4jUri;
  const graph = createGraph({
    uri: neo4jUri,
    user: config.NEO4J_USER,
    password: config.NEO4J_PASSWORD,
    database: config.NEO4J_DATABASE,
    maxPoolSize: 4,
    // The driver warns about every failed connection attempt; the CLI reports the outcome itself.
    logger: logger.isLevelEnabled('debug') ? logger : logger.child({}, { level: 'error' }),
  });
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  try {
    const ping = graph.ping().then(() => 'ok' as const);
    // The ping may still settle after a timeout; its outcome no longer matters then.
    ping.catch(() => undefined);
    const timeout = new Promise<'timeout'>(
      (resolve) => (timer = setTimeout(() => resolve('timeout'), connectTimeoutMs)),
    );
    const aborted = new Promise<'aborted'>((resolve) =>
      signal.addEventListener('abort', (onAbort = () => resolve('aborted'))),
    );
    const outcome = signal.aborted ? 'aborted' : await Promise.race([ping, timeout, aborted]);
    if (outcome === 'aborted') throw new CliError('interrupted', ExitCode.interrupted);
    if (outcome === 'timeout') throw new ConnectTimeout();
    return graph;
  } catch (error) {
    await graph.close().catch(() => undefined);
    if (error instanceof CliError) throw error;
    throw new CliError(
      neo4jProblem(error, redactUri(neo4jUri), connectTimeoutMs),
      ExitCode.unavailable,
    );
  } finally {
    clearTimeout(timer);
    if (onAbort) signal.removeEventListener('abort', onAbort);
  }
}

/**
 * Opens Redis with the API's fail-fast options and pings it until it answers or the connect
 * timeout passes. Connection errors are logged at debug level, never printed raw by ioredis.
 */
export async function connectRedis(
  ctx: Pick<CliContext, 'config' | 'logger' | 'connectTimeoutMs' | 'signal'>,
): Promise<RedisClient> {
  const { config, logger, connectTimeoutMs, signal } = ctx;
  const { redisUrl } = serviceAddresses(config);
  const redis = createRedis(redisUrl, 'api');
  let lastError: unknown;
  redis.on('error', (error: unknown) => {
    lastError = error;
    logger.debug({ err: safeError(error) }, 'redis connection error');
  });
  const deadline = Date.now() + connectTimeoutMs;
  for (;;) {
    try {
      await redis.ping();
      return redis;
    } catch (error) {
      lastError ??= error;
      if (signal.aborted) {
        redis.disconnect();
        throw new CliError('interrupted', ExitCode.interrupted);
      }
      if (Date.now() >= deadline) {
        redis.disconnect();
        const { name, code } = safeError(lastError);
        throw new CliError(
          `redis at ${redactRedisUrl(redisUrl)} did not answer within ${connectTimeoutMs / 1000} s (${code ?? name})`,
          ExitCode.unavailable,
        );
      }
      await sleep(200);
    }
  }
}
