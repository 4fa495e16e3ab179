import neo4j, {
  type Driver,
  type ManagedTransaction,
  type QueryResult,
  type RecordShape,
  type Session,
} from 'neo4j-driver';
import type { Logger } from '../logger.js';
import { type CypherName, type CypherStatements, serviceStatements } from './cypher-loader.js';
import { ServiceUnavailableError } from '../errors.js';
import { isGraphUnavailable, translateGraphError } from './graph-errors.js';
import {
  createGraphHealth,
  type GraphDownReason,
  type GraphHealth,
  type GraphProbe,
} from './graph-health.js';

/**
 * Owns the driver, sessions and transactions: the only code that runs Cypher.
 * Each transaction is tagged with the name of its query (visible in `SHOW TRANSACTIONS` and the
 * query log); our logs name the query, never its parameters, which hold personal data.
 */

export interface GraphOptions {
  uri: string;
  user?: string | undefined;
  password?: string | undefined;
  database?: string | undefined;
  maxPoolSize?: number;
  logger: Logger;
  /**
   * Told how long each statement of a write transaction took, and its commit (from the end of its
   * last statement): a statement that waits for a lock shows here, not in the server's CPU.
   */
  timings?: GraphTimings;
  /**
   * `worker` (the default) waits and retries as long as a batch may take; `api` fails fast: short
   * connection waits, reads retried for at most a second, and, with `health`, every call refused at
   * once while Neo4j is down (graph-health.ts).
   */
  mode?: 'api' | 'worker';
  /** Told when a call fails for want of Neo4j; guards every call in `api` mode. */
  health?: GraphHealth;
}

export interface GraphTimings {
  statement(name: string, seconds: number): void;
  commit(transaction: string, seconds: number): void;
}

export type Row = Record<string, unknown>;

/**
 * A transaction handle that only runs named statements: within a write transaction, reads and
 * writes alike.
 */
export interface GraphTx<N extends string = CypherName> {
  run<T extends object = Row>(name: N, params?: Record<string, unknown>): Promise<T[]>;
}

/** The graph client; `N` names the statements it runs (the service's, unless a caller adds its own). */
export interface Graph<N extends string = CypherName> {
  /**
   * Runs one named statement, by folder: a read as an auto-commit query in a read session (which
   * Neo4j refuses to write in), a write in a managed transaction; both retried on transient errors. A read waits only for the `bookmarks` it is given
   * (none: it sees every committed write of a single instance, but on a cluster may trail this
   * process's latest writes); a write begins after every earlier write of this process.
   */
  query<T extends object = Row>(
    name: N,
    params?: Record<string, unknown>,
    options?: { bookmarks?: string[] },
  ): Promise<T[]>;
  /**
   * Runs one named read statement in a read session and yields its rows as the server sends them,
   * with the driver's flow control (it pulls the next batch of records only as they are consumed):
   * for reads too large to hold, where one long transaction is acceptable. Not retried.
   */
  stream<T extends object = Row>(name: N, params?: Record<string, unknown>): AsyncIterable<T>;
  /** Runs `work` in one managed write transaction, retried as a whole on transient errors (deadlocks). */
  writeTransaction<T>(name: string, work: (tx: GraphTx<N>) => Promise<T>): Promise<T>;
  /** Runs a schema statement outside a transaction function (schema and data writes cannot share one). */
  runSchema(statement: string): Promise<void>;
  /** Runs a named statement as an auto-commit query: needed for `CALL { ... } IN TRANSACTIONS`. */
  autoCommit(name: N, params?: Record<string, unknown>): Promise<void>;
  ping(): Promise<void>;
  /** Bookmarks of the last committed write, for read-your-writes across processes. */
  lastBookmarks(): string[];
  close(): Promise<void>;
}

function rows<T extends object>(result: QueryResult<RecordShape>): T[] {
  return result.records.map((record) => record.toObject() as T);
}

function wrapTx(
  tx: ManagedTransaction,
  statements: CypherStatements<string>,
  onStatement?: (name: string, started: number) => void,
): GraphTx<string> {
  return {
    async run<T extends object>(name: string, params: Record<string, unknown> = {}) {
      const started = performance.now();
      const result = rows<T>(await tx.run(statements.text(name), params));
      onStatement?.(name, started);
      return result;
    },
  };
}

/**
 * Waits per mode. A worker's transaction (and auto-commit read) is retried on transient errors for
 * half a minute, and waits for a pooled connection as long as a busy pool needs. The API's answer
 * a client: a connection is made or refused within a second, and a read is retried for at most a
 * second; writes (manual operations, review decisions) keep a few seconds of deadlock retries.
 */
const SETTINGS = {
  worker: {
    connectionAcquisitionTimeout: 10_000,
    connectionTimeout: 5_000,
    maxTransactionRetryTime: 30_000,
    readRetryMs: 30_000,
  },
  api: {
    connectionAcquisitionTimeout: 2_000,
    connectionTimeout: 1_000,
    maxTransactionRetryTime: 5_000,
    readRetryMs: 1_000,
  },
} as const;

/** How long a probe of Neo4j may take before Neo4j counts as not answering. */
export const PROBE_TIMEOUT_MS = 700;
/** How long the probe's driver tries to connect (in the background of probes that gave up). */
const PROBE_CONNECT_MS = 10_000;

function authOf(options: Pick<GraphOptions, 'user' | 'password'>) {
  return options.password !== undefined
    ? neo4j.auth.basic(options.user ?? 'neo4j', options.password)
    : undefined;
}

/** The driver with idgraph's settings: plain numbers, bounded waits, retries, its log in ours. */
function createDriver(options: GraphOptions): Driver {
  const settings = SETTINGS[options.mode ?? 'worker'];
  return neo4j.driver(options.uri, authOf(options), {
    disableLosslessIntegers: true,
    maxConnectionPoolSize: options.maxPoolSize ?? 50,
    connectionAcquisitionTimeout: settings.connectionAcquisitionTimeout,
    connectionTimeout: settings.connectionTimeout,
    maxTransactionRetryTime: settings.maxTransactionRetryTime,
    logging: {
      level: 'warn',
      logger: (level, message) =>
        options.logger[level === 'warn' ? 'warn' : 'error']({ component: 'neo4j-driver' }, message),
    },
  });
}

/** {@link Graph.stream}: the rows of one read, pulled as they are consumed; closes the session. */
async function* streamRead<T extends object>(
  session: Session,
  statements: CypherStatements<string>,
  name: string,
  params: Record<string, unknown>,
): AsyncGenerator<T> {
  try {
    if (statements.writes(name)) throw new Error(`${name} writes: stream runs reads only`);
    const result = session.run(statements.text(name), params, { metadata: { query: name } });
    for await (const record of result) yield record.toObject() as T;
  } catch (error) {
    throw translateGraphError(error);
  } finally {
    await session.close();
  }
}

/** One managed write transaction on `session`, its statements and commit timed for `timings`. */
async function timedWrite<T>(
  session: Session,
  statements: CypherStatements<string>,
  name: string,
  work: (tx: GraphTx<string>) => Promise<T>,
  timings: GraphTimings | undefined,
): Promise<T> {
  // Where the last statement of the latest attempt ended: the commit starts there.
  let lastEnd = 0;
  const onStatement = timings
    ? (statement: string, started: number) => {
        lastEnd = performance.now();
        timings.statement(statement, (lastEnd - started) / 1000);
      }
    : undefined;
  const result = await session.executeWrite(
    (tx) => {
      lastEnd = performance.now();
      return work(wrapTx(tx, statements, onStatement));
    },
    { metadata: { query: name } },
  );
  timings?.commit(name, (performance.now() - lastEnd) / 1000);
  return result;
}

/**
 * A read statement as an auto-commit query: one round trip (RUN and PULL) where a managed
 * transaction takes two (BEGIN, RUN and PULL, then COMMIT), and less work for the server; the
 * statement is a single read, so the transaction boundary adds nothing. Retried on transient
 * errors with the driver's own policy for managed transactions (for `retryMs`, from 1 s doubling,
 * ±20 % jitter); a lost connection only with `retryUnavailable` (the API's health guard decides
 * for itself).
 */
async function readWithRetries<T extends object>(
  open: () => Session,
  read: {
    name: string;
    text: string;
    params: Record<string, unknown>;
    retryMs: number;
    retryUnavailable: boolean;
  },
): Promise<T[]> {
  const started = Date.now();
  for (let delay = 1000; ; delay *= 2) {
    const session = open();
    try {
      return rows<T>(await session.run(read.text, read.params, { metadata: { query: read.name } }));
    } catch (error) {
      if (
        !neo4j.isRetryableError(error) ||
        (!read.retryUnavailable && isGraphUnavailable(error)) ||
        Date.now() - started + delay > read.retryMs
      )
        throw translateGraphError(error);
    } finally {
      await session.close();
    }
    await new Promise((resolve) => setTimeout(resolve, delay * (0.8 + 0.4 * Math.random())));
  }
}

/** The service's graph client. */
export function createGraph(options: GraphOptions): Graph;
/** A graph client that runs the given statements (the service's joined with a caller's own). */
export function createGraph<N extends string>(
  options: GraphOptions & { statements: CypherStatements<N> },
): Graph<N>;
export function createGraph(
  options: GraphOptions & { statements?: CypherStatements<string> },
): Graph<string> {
  const statements = options.statements ?? serviceStatements();
  const driver = createDriver(options);
  const { health } = options;
  const api = options.mode === 'api';
  const readRetryMs = SETTINGS[options.mode ?? 'worker'].readRetryMs;
  // Writes share one bookmark manager, so each write transaction of this process begins after every
  // earlier one. Reads do not join it: in it, every read would wait for the bookmarks of the
  // process's earlier transactions and then replace them with its own, server work that a lookup
  // does not need. A read that must see given writes passes their bookmarks; on a single Neo4j
  // instance every committed write is visible to any later transaction anyway.
  const bookmarkManager = neo4j.bookmarkManager();
  const sessionConfig = (mode: 'READ' | 'WRITE', bookmarks?: string[]) => ({
    database: options.database,
    defaultAccessMode: mode === 'READ' ? neo4j.session.READ : neo4j.session.WRITE,
    ...(bookmarks && bookmarks.length > 0
      ? { bookmarks }
      : mode === 'WRITE'
        ? { bookmarkManager }
        : {}),
  });
  let lastBookmarks: string[] = [];

  async function withErrors<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      throw translateGraphError(error);
    }
  }

  /** An API call goes through the health guard (fails fast while Neo4j is down); a worker's does not. */
  const guarded = <T>(fn: () => Promise<T>): Promise<T> =>
    api && health ? health.guard(fn) : fn();

  const read = <T extends object>(
    name: string,
    params: Record<string, unknown>,
    bookmarks: string[] | undefined,
  ) =>
    readWithRetries<T>(() => driver.session(sessionConfig('READ', bookmarks)), {
      name,
      text: statements.text(name),
      params,
      retryMs: readRetryMs,
      retryUnavailable: !api,
    });

  async function writeTransaction<T>(name: string, work: (tx: GraphTx<string>) => Promise<T>) {
    const session = driver.session(sessionConfig('WRITE'));
    try {
      const result = await withErrors(() =>
        timedWrite(session, statements, name, work, options.timings),
      );
      lastBookmarks = session.lastBookmarks();
      return result;
    } finally {
      await session.close();
    }
  }

  return {
    async query<T extends object>(
      name: string,
      params: Record<string, unknown> = {},
      opts: { bookmarks?: string[] } = {},
    ) {
      if (!statements.writes(name)) return guarded(() => read<T>(name, params, opts.bookmarks));
      return guarded(async () => {
        const session = driver.session(sessionConfig('WRITE', opts.bookmarks));
        try {
          const result = await withErrors(() =>
            session.executeWrite((tx) => tx.run(statements.text(name), params), {
              metadata: { query: name },
            }),
          );
          lastBookmarks = session.lastBookmarks();
          return rows<T>(result);
        } finally {
          await session.close();
        }
      });
    },

    stream<T extends object>(name: string, params: Record<string, unknown> = {}) {
      // Refused at once while Neo4j is down; a stream under way is not cut off (it may be long).
      if (api && health && !health.isUp()) throw new ServiceUnavailableError('neo4j');
      return streamRead<T>(driver.session(sessionConfig('READ')), statements, name, params);
    },

    writeTransaction<T>(name: string, work: (tx: GraphTx<string>) => Promise<T>) {
      return guarded(() => writeTransaction(name, work));
    },

    async runSchema(statement: string) {
      const session = driver.session(sessionConfig('WRITE'));
      try {
        await withErrors(() => session.run(statement).then(() => undefined));
      } finally {
        await session.close();
      }
    },

    autoCommit(name: string, params: Record<string, unknown> = {}) {
      return guarded(async () => {
        const session = driver.session(sessionConfig('WRITE'));
        try {
          await withErrors(() =>
            session
              .run(
                { text: statements.text(name), parameters: params },
                { metadata: { query: name } },
              )
              .then(() => undefined),
          );
        } finally {
          await session.close();
        }
      });
    },

    async ping() {
      await this.query('read/ping');
    },

    lastBookmarks: () => lastBookmarks,

    async close() {
      await driver.close();
    },
  };
}

/**
 * The probe of graph-health.ts: `read/ping` on a driver of its own (one connection, waits no longer
 * than the probe), so a probe never queues behind the service's calls. A probe that does not answer
 * in time is left to finish in the background (a connection to a Neo4j that is still starting then
 * serves the next probe); one left hanging for {@link STUCK_PROBES} probes' time gives its driver
 * up, and the next probe starts a fresh one.
 */
export function createGraphProbe(
  options: Pick<GraphOptions, 'uri' | 'user' | 'password' | 'database'>,
  timeoutMs = PROBE_TIMEOUT_MS,
): GraphProbe & { close(): Promise<void> } {
  const text = serviceStatements().text('read/ping');
  let driver: Driver | undefined;
  /** When the oldest probe still running began. */
  let runningSince: number | undefined;
  const connect = () =>
    neo4j.driver(options.uri, authOf(options), {
      maxConnectionPoolSize: 1,
      // Longer than a probe: a Neo4j that has just started can take seconds to accept its first
      // connections, and one begun by a probe that gave up then serves the next probe.
      connectionAcquisitionTimeout: PROBE_CONNECT_MS,
      connectionTimeout: PROBE_CONNECT_MS,
      maxTransactionRetryTime: 0,
      // Its failures are the probe's outcome; the service logs the state change once.
      logging: { level: 'error', logger: () => undefined },
    });
  const probe = async (): Promise<GraphDownReason | undefined> => {
    if (
      driver &&
      runningSince !== undefined &&
      Date.now() - runningSince > STUCK_PROBES * timeoutMs
    ) {
      // Not awaited: a driver whose connection hangs closes only when Neo4j answers or dies.
      void driver.close().catch(() => undefined);
      driver = undefined;
      runningSince = undefined;
    }
    const session = (driver ??= connect()).session({
      database: options.database,
      defaultAccessMode: 'READ',
    });
    runningSince ??= Date.now();
    const run = session
      .run(text, {}, { metadata: { query: 'read/ping' } })
      .then(
        () => undefined,
        (): GraphDownReason => 'unreachable',
      )
      .finally(() => {
        runningSince = undefined;
        void session.close().catch(() => undefined);
      });
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<GraphDownReason>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeoutMs);
    });
    try {
      return await Promise.race([run, timedOut]);
    } finally {
      clearTimeout(timer);
    }
  };
  return Object.assign(probe, {
    async close() {
      await driver?.close();
    },
  });
}

/** Probes' time after which a probe still running counts as stuck (graph-client's probe). */
const STUCK_PROBES = 10;

/**
 * The service's Neo4j connections: one health tracker for the process (graph-health.ts) and two
 * drivers, the workers' (patient waits and retries) and, `withApi`, the API's (fails fast). Without
 * the API, `apiGraph` is the workers' graph. `close()` stops the tracker (work waiting for Neo4j
 * stops waiting) and closes the drivers.
 */
export function connectGraph(options: GraphOptions, withApi: boolean) {
  const probe = createGraphProbe(options);
  const health = createGraphHealth({ probe, logger: options.logger });
  const graph = createGraph({ ...options, health });
  const apiGraph = withApi ? createGraph({ ...options, mode: 'api', health }) : graph;
  return {
    graph,
    apiGraph,
    health,
    async close() {
      health.close();
      if (apiGraph !== graph) await apiGraph.close().catch(() => undefined);
      await graph.close();
      await probe.close().catch(() => undefined);
    },
  };
}
