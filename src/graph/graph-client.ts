import neo4j, {
  type Driver,
  type ManagedTransaction,
  type QueryResult,
  type RecordShape,
  type Session,
} from 'neo4j-driver';
import type { Logger } from '../logger.js';
import { type CypherName, type CypherStatements, serviceStatements } from './cypher-loader.js';
import { translateGraphError } from './graph-errors.js';

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

/** How long a transaction (and an auto-commit read) is retried on transient errors. */
const RETRY_TIME_MS = 30_000;

/** The driver with idgraph's settings: plain numbers, bounded waits, retries, its log in ours. */
function createDriver(options: GraphOptions): Driver {
  const auth =
    options.password !== undefined
      ? neo4j.auth.basic(options.user ?? 'neo4j', options.password)
      : undefined;
  return neo4j.driver(options.uri, auth, {
    disableLosslessIntegers: true,
    maxConnectionPoolSize: options.maxPoolSize ?? 50,
    connectionAcquisitionTimeout: 10_000,
    connectionTimeout: 5_000,
    maxTransactionRetryTime: RETRY_TIME_MS,
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

  /**
   * A read statement as an auto-commit query: one round trip (RUN and PULL) where a managed
   * transaction takes two (BEGIN, RUN and PULL, then COMMIT), and less work for the server; the
   * statement is a single read, so the transaction boundary adds nothing. Retried on transient
   * errors with the driver's own policy for managed transactions (RETRY_TIME_MS, from 1 s doubling,
   * ±20 % jitter).
   */
  async function read<T extends object>(
    name: string,
    params: Record<string, unknown>,
    bookmarks: string[] | undefined,
  ): Promise<T[]> {
    const started = Date.now();
    for (let delay = 1000; ; delay *= 2) {
      const session = driver.session(sessionConfig('READ', bookmarks));
      try {
        return rows<T>(
          await session.run(statements.text(name), params, { metadata: { query: name } }),
        );
      } catch (error) {
        if (!neo4j.isRetryableError(error) || Date.now() - started + delay > RETRY_TIME_MS)
          throw translateGraphError(error);
      } finally {
        await session.close();
      }
      await new Promise((resolve) => setTimeout(resolve, delay * (0.8 + 0.4 * Math.random())));
    }
  }

  return {
    async query<T extends object>(
      name: string,
      params: Record<string, unknown> = {},
      opts: { bookmarks?: string[] } = {},
    ) {
      if (!statements.writes(name)) return read<T>(name, params, opts.bookmarks);
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
    },

    stream: <T extends object>(name: string, params: Record<string, unknown> = {}) =>
      streamRead<T>(driver.session(sessionConfig('READ')), statements, name, params),

    async writeTransaction<T>(name: string, work: (tx: GraphTx<string>) => Promise<T>) {
      const session = driver.session(sessionConfig('WRITE'));
      const timings = options.timings;
      // Where the last statement of the latest attempt ended: the commit starts there.
      let lastEnd = 0;
      const onStatement = timings
        ? (statement: string, started: number) => {
            lastEnd = performance.now();
            timings.statement(statement, (lastEnd - started) / 1000);
          }
        : undefined;
      try {
        const result = await withErrors(() =>
          session.executeWrite(
            (tx) => {
              lastEnd = performance.now();
              return work(wrapTx(tx, statements, onStatement));
            },
            { metadata: { query: name } },
          ),
        );
        timings?.commit(name, (performance.now() - lastEnd) / 1000);
        lastBookmarks = session.lastBookmarks();
        return result;
      } finally {
        await session.close();
      }
    },

    async runSchema(statement: string) {
      const session = driver.session(sessionConfig('WRITE'));
      try {
        await withErrors(() => session.run(statement).then(() => undefined));
      } finally {
        await session.close();
      }
    },

    async autoCommit(name: string, params: Record<string, unknown> = {}) {
      const session = driver.session(sessionConfig('WRITE'));
      try {
        await withErrors(() =>
          session
            .run({ text: statements.text(name), parameters: params }, { metadata: { query: name } })
            .then(() => undefined),
        );
      } finally {
        await session.close();
      }
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
