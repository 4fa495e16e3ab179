import { loadConfig } from '../../src/config.js';
import { createGraph, type Graph } from '../../src/graph/graph-client.js';
import { type BenchGraph, benchStatements } from './bench-cypher.js';
import { applyMigrations } from '../../src/graph/migrations.js';
import { createLogger } from '../../src/logger.js';
import type { BenchServices } from './bench-services.js';
import { benchEnv } from './bench-env.js';

/**
 * Marks a graph as disposable, exactly as the integration setup does: only a graph that is empty
 * or already carries the test marker may be marked (and later cleared) by a benchmark.
 */
export async function claimDisposableGraph(
  graph: Pick<Graph, 'query'>,
  uri: string,
): Promise<void> {
  const [state] = await graph.query<{ marked: boolean; hasData: boolean }>(
    'read/graph-is-test-instance',
  );
  if (!state?.marked && state?.hasData) {
    throw new Error(
      `refusing to run: ${uri} holds data and is not a test instance (benchmarks clear the graph)`,
    );
  }
  await graph.query('write/mark-test-instance');
}

/** Deletes everything but the migrations and the test marker (see {@link claimDisposableGraph}). */
export async function clearDisposableGraph(
  graph: Pick<Graph, 'query' | 'autoCommit'>,
): Promise<void> {
  const [state] = await graph.query<{ marked: boolean }>('read/graph-is-test-instance');
  if (!state?.marked) throw new Error('not a test instance: refusing to clear the graph');
  await graph.autoCommit('write/clear-test-graph');
}

/**
 * A client of the benchmark's Neo4j, with the migrations applied and the graph claimed as
 * disposable. The caller closes it; on failure it is closed here.
 */
export async function openDisposableGraph(
  services: Pick<BenchServices, 'neo4jUri' | 'redisUrl'>,
): Promise<BenchGraph> {
  const logger = createLogger('warn');
  const config = loadConfig(benchEnv(services));
  const graph = createGraph({
    uri: services.neo4jUri,
    user: config.NEO4J_USER,
    password: config.NEO4J_PASSWORD,
    logger,
    statements: benchStatements(),
  });
  try {
    await applyMigrations(graph, logger);
    await claimDisposableGraph(graph, services.neo4jUri);
    return graph;
  } catch (error) {
    await graph.close();
    throw error;
  }
}
