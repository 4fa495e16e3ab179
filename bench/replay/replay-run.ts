import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config.js';
import { createGraph, type Graph } from '../../src/graph/graph-client.js';
import { createLogger } from '../../src/logger.js';
import { diffGraphs } from '../../src/replay/graph-diff.js';
import { END_OF_TIME } from '../../src/replay/event-log.js';
import { prepareTarget, replay, type ReplayReport } from '../../src/replay/replay-runner.js';
import { createResolverFromConfig } from '../../src/resolver/resolver-factory.js';
import { ensureNeo4j, freePort } from '../../scripts/local-services.mjs';
import { benchLog } from '../harness/bench-log.js';
import { benchEnv } from '../services/bench-env.js';
import type { BenchServices } from '../services/bench-services.js';

/**
 * The replay side of the replay benchmark: a second Neo4j (the target) started with the same
 * launcher and memory as the source's, and one replay of the source's event log into it through
 * the library `idgraph replay` runs (src/replay/replay-runner.ts): the target wiped and migrated
 * and the resolver built first, untimed; then timed from the suppression list's copy to the last
 * batch (replay()'s own duration); then a diff of the two graphs (it must find them identical).
 */

export interface ReplayTarget {
  uri: string;
  graph: Graph;
  pid: number | undefined;
  stop(): Promise<void>;
}

export async function startTarget(signal: AbortSignal): Promise<ReplayTarget> {
  const dataDir = mkdtempSync(join(tmpdir(), 'idgraph-bench-replay-'));
  const neo4j = await ensureNeo4j({
    dataDir,
    boltPort: await freePort(),
    heap: process.env.NEO4J_HEAP || '4g',
    pageCache: process.env.NEO4J_PAGECACHE || '2g',
    ignoreEnv: true,
    log: (m: string) => benchLog(`target ${m}`),
    signal,
  });
  const graph = createGraph({ uri: neo4j.uri, logger: createLogger('warn') });
  return {
    uri: neo4j.uri,
    graph,
    pid: neo4j.pid,
    async stop() {
      await graph.close();
      await neo4j.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export interface ReplayRunResult {
  seconds: number;
  eventsPerSecond: number;
  report: ReplayReport;
  /** The diff of source and target: seconds, and whether it found them identical. */
  diffSeconds: number;
  identical: boolean;
}

export async function replayRun(
  services: BenchServices,
  source: Graph,
  target: ReplayTarget,
  label: string,
): Promise<ReplayRunResult> {
  const config = loadConfig(benchEnv(services));
  const logger = createLogger('warn');
  await prepareTarget({ source, target: target.graph, logger }, true);
  const configured = await createResolverFromConfig(config, { graph: target.graph, logger });
  let report: ReplayReport;
  try {
    report = await replay(
      { source, target: target.graph, resolver: configured.resolver, logger },
      { until: END_OF_TIME, batchSize: 1000, pageSize: 5000 },
    );
  } finally {
    configured.close();
  }
  const seconds = report.durationMs / 1000;
  const diffStarted = performance.now();
  const diff = await diffGraphs(source, target.graph, {
    pageSize: 10_000,
    samples: 0,
    showValues: false,
  });
  const diffSeconds = (performance.now() - diffStarted) / 1000;
  benchLog(
    `${label}: ${Math.round(report.events / seconds)} events/s (${seconds.toFixed(2)} s, ${report.batches} batches); diff ${diffSeconds.toFixed(2)} s, ${diff.identical ? 'identical' : 'DIFFERENT'}`,
  );
  if (!diff.identical)
    throw new Error(
      `${label}: the replayed graph differs from the source: ${JSON.stringify(diff.pairs)}`,
    );
  return {
    seconds,
    eventsPerSecond: report.events / seconds,
    report,
    diffSeconds,
    identical: diff.identical,
  };
}
