/**
 * Lookup latency and throughput: GET /v1/resolve and 1000-identifier POST /v1/resolve on a bulk-loaded graph of 1M identifiers.
 *
 * The graph: --identifiers / 3 persons with an email, a phone and a cookie id each (values are
 * realistic and seeded, normalised exactly as ingestion does), in the shape the resolver writes:
 * `(:Identifier)-[:BELONGS_TO]->(:Person)` plus two active LINKED relationships per person. It is
 * bulk-loaded with batched `UNWIND ... CREATE` (bench/write/lookup-*) because ingesting a million
 * identifiers through the queue would take far longer than the benchmark. No event log or audit
 * records: lookups read neither. The store lives in .data/bench-lookup and is reused by the next
 * run with the same --identifiers and --seed (--fresh yes rebuilds it); with NEO4J_URI and REDIS_URL
 * set, those are used instead (a disposable graph only; it is reloaded when its size differs).
 *
 * The API runs as its own process (`node --import tsx src/main.ts --api`, logs to a file), so the
 * load generator (autocannon, in this process) does not share its event loop; all three processes
 * share the machine's cores. After a correctness check and a warm-up, each run is:
 *   GET  /v1/resolve?type=&value=   --connections connections, --duration s: random existing
 *                                   identifiers of all three types, --unknown of them unknown (404)
 *   POST /v1/resolve                --batch-connections connections, --duration s: --batch random
 *                                   identifiers per call, same mix
 * Latencies are measured per response here (autocannon's histogram rounds to whole milliseconds),
 * over every answer, 404s included. CPU seconds per request of the API process, Neo4j and this
 * process are reported next to them: on a shared 2-core machine they explain the wall-clock numbers.
 *
 * --profile yes writes a V8 CPU profile of the API process to bench/.results/ and prints where its
 * time went (self time by package and by function).
 */
import { mkdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { REPO_ROOT } from '../scripts/local-services.mjs';
import { benchLog } from './harness/bench-log.js';
import { runBenchmark } from './harness/run-benchmark.js';
import { summariseProfile } from './lookup/cpu-profile-summary.js';
import {
  cannon,
  checkAnswers,
  type LoadResult,
  lookupRequests,
  lookupScenarios,
} from './lookup/load-generation.js';
import { startApi } from './lookup/lookup-api.js';
import { lookupServices } from './lookup/lookup-graph.js';
import { describeMedians, medians, otherStatuses, runsTable } from './lookup/lookup-report.js';
import { lookupSettings } from './lookup/lookup-settings.js';
import { fmt } from './report/result-tables.js';
import { fileTime, RESULTS_DIR } from './report/results-file.js';
import { lookupPopulation } from './workloads/lookup-population.js';

runBenchmark('lookup', async (run) => {
  const settings = lookupSettings(process.argv.slice(2));
  const population = lookupPopulation(settings);
  const requests = lookupRequests(population, settings.batchSize);
  const services = await lookupServices(run, settings, population);
  const profileDir = settings.profile
    ? join(RESULTS_DIR, `lookup-profile-${fileTime()}`)
    : undefined;
  if (profileDir) mkdirSync(profileDir, { recursive: true });
  const api = await startApi(run.processes, services, settings, profileDir);
  run.onStop(() => api.stop());
  await checkAnswers(api, requests);
  benchLog(
    'answers checked: known identifiers resolve to their person, unknown ones are 404 / null',
  );

  const scenarios = lookupScenarios(requests, settings);
  if (settings.warmupSeconds > 0) {
    for (const scenario of scenarios) await cannon(api, services, scenario, settings.warmupSeconds);
    benchLog(`warmed up (${settings.warmupSeconds} s per scenario)`);
  }
  const get: LoadResult[] = [];
  const post: LoadResult[] = [];
  for (let i = 1; i <= settings.runs; i++) {
    for (const [scenario, list] of [
      [scenarios[0], get],
      [scenarios[1], post],
    ] as const) {
      const result = await cannon(api, services, scenario, settings.duration);
      list.push(result);
      const other = otherStatuses(result);
      benchLog(
        `${scenario.label} run ${i}: ${fmt(result.perSecond)}/s, p50 ${result.p50.toFixed(2)} ms, p99 ${result.p99.toFixed(2)} ms` +
          `${other.length > 0 ? `, other statuses ${JSON.stringify(Object.fromEntries(other))}` : ''}${result.errors > 0 ? `, ${result.errors} errors` : ''}` +
          ` (load ${result.loadAverage.toFixed(1)})`,
      );
    }
  }
  // The API writes its CPU profile when it stops.
  await api.stop();

  const { persons, expected } = population;
  const summary = { get: medians(get), post: medians(post) };
  return {
    title: `## Lookup: ${fmt(expected.identifiers)} identifiers, ${fmt(persons)} persons, ${settings.runs} runs of ${settings.duration} s`,
    services,
    settings: [
      ...(services.storeBytes === undefined
        ? []
        : [`neo4j store on disk: ${fmt(services.storeBytes / 2 ** 20)} MiB`]),
      services.loadSeconds === undefined
        ? 'bulk load: reused the stored graph'
        : `bulk load: ${services.loadSeconds.toFixed(0)} s`,
      `API process: node --import tsx src/main.ts --api, LOG_LEVEL=${settings.logLevel}, RATE_LIMIT_MAX=0${settings.pool ? `, NEO4J_MAX_POOL_SIZE=${settings.pool}` : ''}`,
      `load: autocannon in the bench process; ${fmt(settings.unknownShare * 100)} % unknown identifiers; warm-up ${settings.warmupSeconds} s per scenario`,
    ],
    sections: [
      `### GET /v1/resolve, ${settings.connections} connections`,
      runsTable(get, 'req/s'),
      `### POST /v1/resolve, ${settings.batchSize} identifiers per call, ${settings.batchConnections} connection${settings.batchConnections === 1 ? '' : 's'}`,
      runsTable(post, 'calls/s'),
      describeMedians(summary),
      profileDir ? summariseProfile(profileDir) : '',
    ],
    results: {
      identifiers: expected.identifiers,
      persons,
      seed: settings.seed,
      runs: settings.runs,
      duration: settings.duration,
      connections: settings.connections,
      batchSize: settings.batchSize,
      batchConnections: settings.batchConnections,
      unknownShare: settings.unknownShare,
      logLevel: settings.logLevel,
      pool: settings.pool || undefined,
      storeBytes: services.storeBytes,
      loadSeconds: services.loadSeconds,
      results: { [scenarios[0].label]: get, [scenarios[1].label]: post },
      summary,
      profileDir: profileDir && relative(REPO_ROOT, profileDir),
    },
  };
});
