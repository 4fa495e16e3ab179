import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join, relative } from 'node:path';
import { loadConfig } from '../../src/config.js';
import type { BenchGraph } from '../services/bench-cypher.js';
import { identifierRegistry } from '../../src/resolver/resolver-config.js';
import {
  freePort,
  REPO_ROOT,
  startLocalServices,
  stopLocalServices,
} from '../../scripts/local-services.mjs';
import { benchLog } from '../harness/bench-log.js';
import type { BenchmarkRun } from '../harness/run-benchmark.js';
import { fmt } from '../report/result-tables.js';
import { clearDisposableGraph, openDisposableGraph } from '../services/disposable-graph.js';
import { DAY, type LookupPopulation, TYPES } from '../workloads/lookup-population.js';
import type { LookupSettings } from './lookup-settings.js';

/** Bumped whenever the generated graph changes, so a stored graph of an older shape is rebuilt. */
const DATASET_VERSION = 1;
const LOAD_BATCH = 2000; // persons per load transaction
const LOAD_CONCURRENCY = 2;

const registry = identifierRegistry(loadConfig({}));

function normalized(type: string, raw: string) {
  const n = registry.normalize(type, raw);
  if (!n.ok)
    throw new Error(`generated ${type} does not normalise (${n.reason}): fix the generator`);
  return n;
}

/**
 * Bulk-loads the population in the shape the resolver writes: `(:Identifier)-[:BELONGS_TO]->(:Person)`
 * plus two active LINKED relationships per person, with batched `UNWIND ... CREATE`
 * (bench/write/lookup-*): ingesting a million identifiers through the queue would take far longer
 * than the benchmark. No event log or audit records: lookups read neither.
 */
async function loadGraph(graph: BenchGraph, population: LookupPopulation): Promise<void> {
  const { persons, expected } = population;
  const started = performance.now();
  let next = 0;
  let done = 0;
  let reported = 0;
  await Promise.all(
    Array.from({ length: LOAD_CONCURRENCY }, async () => {
      while (next < persons) {
        const from = next;
        const to = Math.min(persons, from + LOAD_BATCH);
        next = to;
        const rows: Record<string, unknown>[] = [];
        const links: Record<string, unknown>[] = [];
        for (let i = from; i < to; i++) {
          const p = population.person(i);
          const r = population.detailsRandom(i);
          const ids = TYPES.map((type) => normalized(type, p.raw[type]));
          const lastSeen = p.createdAt + Math.floor(r() * 180 * DAY);
          rows.push({
            id: p.id,
            createdAt: p.createdAt,
            updatedAt: p.createdAt,
            identifiers: ids.map((n) => ({ key: n.key, type: n.type, value: n.value, lastSeen })),
          });
          // Email-phone and email-cookie, as one event reporting all three would link them (keys sorted).
          for (const other of [ids[1]!, ids[2]!]) {
            const [a, b] = [ids[0]!.key, other.key].sort();
            links.push({
              fromKey: a,
              toKey: b,
              id: `lnk_${Buffer.from(Array.from({ length: 16 }, () => Math.floor(r() * 256))).toString('base64url')}`,
              firstSeen: p.createdAt,
              lastSeen,
              sources: ['web'],
              purposes: ['identity_linking'],
              events: [`web/evt-${i}`],
            });
          }
        }
        await graph.writeTransaction('bench-lookup-load', async (tx) => {
          await tx.run('bench/write/lookup-persons', { persons: rows });
          await tx.run('bench/write/lookup-links', { links });
        });
        done += to - from;
        if (done - reported >= persons / 10 || done === persons) {
          reported = done;
          benchLog(
            `loaded ${fmt(done * 3)} / ${fmt(expected.identifiers)} identifiers (${((performance.now() - started) / 1000).toFixed(0)} s)`,
          );
        }
      }
    }),
  );
}

async function graphMatches(graph: BenchGraph, population: LookupPopulation): Promise<boolean> {
  const { expected } = population;
  const [totals] = await graph.query<Record<string, number>>('read/graph-totals');
  return (
    totals?.identifiers === expected.identifiers &&
    totals.activePersons === expected.activePersons &&
    totals.links === expected.links
  );
}

function directorySize(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    total += entry.isDirectory() ? directorySize(path) : entry.isFile() ? statSync(path).size : 0;
  }
  return total;
}

export interface LookupServices {
  neo4jUri: string;
  redisUrl: string;
  /** True when NEO4J_URI / REDIS_URL pointed at services this run did not start. */
  external: boolean;
  neo4jPid: number | undefined;
  neo4jMemory: { heap: string; pageCache: string } | undefined;
  /** Size of the Neo4j store on disk (local services only). */
  storeBytes: number | undefined;
  /** Seconds the bulk load took (undefined: the stored graph was reused). */
  loadSeconds: number | undefined;
}

/**
 * Neo4j and Redis with the benchmark graph loaded: NEO4J_URI and REDIS_URL when both are set (a
 * disposable graph only, reloaded when its size differs), otherwise a private pair in
 * .data/bench-lookup on spare ports, whose store is kept for the next run with the same
 * --identifiers and --seed (--fresh yes rebuilds it). The started services are stopped by the
 * run's ending.
 */
export async function lookupServices(
  run: Pick<BenchmarkRun, 'signal' | 'onStop'>,
  settings: Pick<LookupSettings, 'fresh'>,
  population: LookupPopulation,
): Promise<LookupServices> {
  const { persons, expected } = population;
  const external =
    process.env.NEO4J_URI && process.env.REDIS_URL
      ? { neo4jUri: process.env.NEO4J_URI, redisUrl: process.env.REDIS_URL }
      : undefined;
  const dataDir = join(REPO_ROOT, '.data', 'bench-lookup');
  const markerFile = join(dataDir, 'dataset.json');
  const marker = JSON.stringify({
    version: DATASET_VERSION,
    seed: population.seed,
    identifiers: expected.identifiers,
  });
  const heap = process.env.NEO4J_HEAP || '2g';
  const pageCache = process.env.NEO4J_PAGECACHE || '2g';

  let started: Awaited<ReturnType<typeof startLocalServices>> | undefined;
  if (!external) {
    // A run killed before it stopped its services leaves them running from this DATA_DIR.
    await stopLocalServices({ dataDir, log: () => {} });
    const reusable =
      !settings.fresh && existsSync(markerFile) && readFileSync(markerFile, 'utf8') === marker;
    if (!reusable && existsSync(dataDir)) {
      benchLog(
        `removing the stored graph in ${relative(REPO_ROOT, dataDir)} (${settings.fresh ? '--fresh yes' : 'another dataset'})`,
      );
      rmSync(dataDir, { recursive: true, force: true });
    }
    mkdirSync(dataDir, { recursive: true });
    const local = await startLocalServices({
      dataDir,
      neo4jBoltPort: await freePort(),
      redisPort: await freePort(),
      heap,
      pageCache,
      log: (m: string) => benchLog(m),
      signal: run.signal,
    });
    run.onStop(() => local.stop());
    started = local;
  }
  const neo4jUri = external?.neo4jUri ?? started!.neo4jUri;
  const redisUrl = external?.redisUrl ?? started!.redisUrl;
  const graph = await openDisposableGraph({ neo4jUri, redisUrl });
  let loadSeconds: number | undefined;
  try {
    if (await graphMatches(graph, population)) {
      benchLog(
        `reusing the stored graph: ${fmt(expected.identifiers)} identifiers, ${fmt(persons)} persons`,
      );
    } else {
      rmSync(markerFile, { force: true });
      await clearDisposableGraph(graph);
      benchLog(`bulk-loading ${fmt(expected.identifiers)} identifiers of ${fmt(persons)} persons`);
      const t0 = performance.now();
      await loadGraph(graph, population);
      loadSeconds = (performance.now() - t0) / 1000;
      if (!(await graphMatches(graph, population)))
        throw new Error('the loaded graph does not have the expected size');
      if (!external) writeFileSync(markerFile, marker);
      benchLog(`loaded in ${loadSeconds.toFixed(0)} s`);
    }
    const t0 = performance.now();
    const [warm] = await graph.query<{ identifiers: number; persons: number }>(
      'bench/read/lookup-warm-up',
    );
    benchLog(
      `page cache warmed: ${fmt(warm?.identifiers ?? 0)} identifiers read in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    );
  } finally {
    await graph.close();
  }
  const storeDir = join(dataDir, 'neo4j', 'data', 'databases', 'neo4j');
  return {
    neo4jUri,
    redisUrl,
    external: external !== undefined,
    neo4jPid: started?.neo4j.started ? started.neo4j.pid : undefined,
    neo4jMemory: external ? undefined : { heap, pageCache },
    storeBytes: !external && existsSync(storeDir) ? directorySize(storeDir) : undefined,
    loadSeconds,
  };
}
