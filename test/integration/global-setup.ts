import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { ensureNeo4j, freePort, startLocalServices } from '../../scripts/local-services.mjs';
import { startRedisCluster } from '../../scripts/redis-cluster.mjs';
import { createGraph } from '../../src/graph/graph-client.js';
import { applyMigrations } from '../../src/graph/migrations.js';
import { createLogger } from '../../src/logger.js';

/**
 * Gives the integration suite a real Neo4j and a real Redis. When NEO4J_URI and REDIS_URL are set,
 * those are used (the graph must be empty or already marked as a test instance: tests clear it).
 * Otherwise a private pair is started on spare loopback ports in a temporary DATA_DIR and stopped
 * afterwards; with IDGRAPH_TEST_REDIS_CLUSTER=1 the Redis is a local three-master cluster. If Neo4j cannot start, the run fails here and says why: no test is ever skipped.
 */

declare module 'vitest' {
  export interface ProvidedContext {
    neo4jUri: string;
    redisUrl: string;
    neo4jUser: string;
    neo4jPassword: string;
  }
}

interface TestServices {
  neo4jUri: string;
  redisUrl: string;
  stop(): Promise<void>;
}

/**
 * The integration and e2e projects run in one vitest process, their files one at a time (both
 * without file parallelism), so they share one pair of services: the first setup starts it, the
 * last teardown stops it. The pair is kept on globalThis because each project loads this module
 * through its own module runner.
 */
const shared = globalThis as {
  idgraphTestServices?: { ready: Promise<TestServices>; users: number };
};

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  shared.idgraphTestServices ??= { ready: startTestServices(), users: 0 };
  const entry = shared.idgraphTestServices;
  entry.users += 1;
  const services = await entry.ready;
  project.provide('neo4jUri', services.neo4jUri);
  project.provide('redisUrl', services.redisUrl);
  project.provide('neo4jUser', process.env.NEO4J_USER ?? '');
  project.provide('neo4jPassword', process.env.NEO4J_PASSWORD ?? '');
  return async () => {
    entry.users -= 1;
    if (entry.users > 0) return;
    shared.idgraphTestServices = undefined;
    await services.stop();
  };
}

async function startTestServices(): Promise<TestServices> {
  const log = (message: string) => process.stderr.write(`[integration] ${message}\n`);
  let neo4jUri = process.env.NEO4J_URI;
  let redisUrl = process.env.REDIS_URL;
  let stop: () => Promise<void> = async () => {};
  let dataDir: string | undefined;

  if (!neo4jUri || !redisUrl) {
    dataDir = await mkdtemp(join(tmpdir(), 'idgraph-test-'));
    const started =
      !redisUrl && process.env.IDGRAPH_TEST_REDIS_CLUSTER === '1'
        ? await startWithRedisCluster(dataDir, neo4jUri, log)
        : await startLocalServices({
            dataDir,
            neo4jBoltPort: neo4jUri ? undefined : await freePort(),
            redisPort: redisUrl ? undefined : await freePort(),
            heap: process.env.NEO4J_HEAP ?? '2g',
            pageCache: process.env.NEO4J_PAGECACHE ?? '512m',
            log: (m: string) => log(m),
          });
    neo4jUri ??= started.neo4jUri;
    redisUrl ??= started.redisUrl;
    stop = () => started.stop();
  }

  try {
    await prepareGraph(neo4jUri);
  } catch (error) {
    await stop();
    throw error;
  }
  log(`Neo4j at ${neo4jUri}, Redis at ${redisUrl.replace(/\/\/[^@]*@/, '//')}`);
  return {
    neo4jUri,
    redisUrl,
    stop: async () => {
      await stop();
      if (dataDir) await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * IDGRAPH_TEST_REDIS_CLUSTER=1 (`npm run test:cluster`): the queue on a local three-master Redis
 * Cluster (scripts/redis-cluster.mjs) instead of one Redis server, Neo4j as usual.
 */
async function startWithRedisCluster(
  dataDir: string,
  neo4jUri: string | undefined,
  log: (message: string) => void,
) {
  const cluster = await startRedisCluster({ dataDir, log });
  try {
    const neo4j = await ensureNeo4j({
      dataDir,
      boltPort: neo4jUri ? undefined : await freePort(),
      heap: process.env.NEO4J_HEAP ?? '2g',
      pageCache: process.env.NEO4J_PAGECACHE ?? '512m',
      log,
    });
    return {
      neo4jUri: neo4j.uri,
      redisUrl: cluster.url,
      stop: async () => {
        await Promise.all([neo4j.stop(), cluster.stop()]);
      },
    };
  } catch (error) {
    await cluster.stop();
    throw error;
  }
}

/** Migrations applied, and the graph marked as a test instance (refused when it holds real data). */
async function prepareGraph(neo4jUri: string): Promise<void> {
  const logger = createLogger('warn');
  const graph = createGraph({
    uri: neo4jUri,
    user: process.env.NEO4J_USER,
    password: process.env.NEO4J_PASSWORD,
    logger,
  });
  try {
    await applyMigrations(graph, logger);
    const [state] = await graph.query<{ marked: boolean; hasData: boolean }>(
      'read/graph-is-test-instance',
    );
    if (!state?.marked && state?.hasData) {
      throw new Error(
        `refusing to run: ${neo4jUri} holds data and is not a test instance (tests clear the graph)`,
      );
    }
    await graph.query('write/mark-test-instance');
  } finally {
    await graph.close();
  }
}
