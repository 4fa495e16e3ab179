/**
 * Rescoring speed: `idgraph model rescore` against incremental ingest of the same records, one run.
 *
 * A synthetic FEBRL-like population (bench/workloads/febrl-population.ts) of --records records is
 * ingested into a cleared disposable graph through the real pipeline: POST /v1/events, queue, an
 * API process and worker processes running the built-in model (written out as a model file with
 * the FEBRL attribute kinds), timed from the first POST until every job is completed. Then, as a
 * user would after the issue's `idgraph model train`: `idgraph model train` writes a model trained
 * on the graph (timed, not part of the ratio), and `idgraph model rescore` runs with it
 * (MATCH_MODEL_FILE), each as a process of its own, the service stopped. The rescore is timed over
 * the whole command, start-up included, and its rate is the records over that time; the ratio is
 * rescore records/s over ingest records/s (target: at least 1). Both report the CPU each process
 * used per 1000 records (Neo4j, Redis, the service's processes or the command's, the benchmark)
 * and the steal meanwhile.
 *
 * Before that, untimed, the same cycle on --warmup records of another seed, so that neither side
 * runs on a cold JVM. --rescore-args passes options to the rescore command (e.g. its page size);
 * --cpu-prof yes has the timed rescore command write a V8 CPU profile.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { QUEUE_PREFIX } from './accuracy/accuracy-service.js';
import { benchLog } from './harness/bench-log.js';
import { runBenchmark } from './harness/run-benchmark.js';
import { fmt } from './report/result-tables.js';
import { rescoreSections } from './rescore/rescore-report.js';
import { ingestTrainRescore, type RescoreBenchDeps } from './rescore/rescore-run.js';
import { rescoreSettings } from './rescore/rescore-settings.js';
import { benchServices, deleteQueueKeys } from './services/bench-services.js';
import { clearDisposableGraph, openDisposableGraph } from './services/disposable-graph.js';
import { loadFebrlSources } from './workloads/febrl-population.js';

runBenchmark('rescore', async (run) => {
  const settings = rescoreSettings(process.argv.slice(2));
  const services = await benchServices(run.signal);
  run.onStop(() => services.stop());
  run.onStop(() => deleteQueueKeys(services.redisUrl, QUEUE_PREFIX));
  const graph = await openDisposableGraph(services);
  run.onStop(() => graph.close());
  const modelDir = mkdtempSync(join(tmpdir(), 'idgraph-bench-rescore-'));
  run.onStop(() => rmSync(modelDir, { recursive: true, force: true }));
  const deps: RescoreBenchDeps = {
    services,
    graph,
    processes: run.processes,
    modelDir,
    settings,
    sources: loadFebrlSources(settings.dataDir),
  };

  if (settings.warmupRecords > 0) {
    const started = performance.now();
    await ingestTrainRescore(deps, {
      seed: settings.seed + 1000,
      size: settings.warmupRecords,
      label: 'warmup',
      quiet: true,
    });
    benchLog(
      `warm-up: ${fmt(settings.warmupRecords)} records in ${((performance.now() - started) / 1000).toFixed(1)} s (not counted)`,
    );
  }
  const result = await ingestTrainRescore(deps, {
    seed: settings.seed,
    size: settings.records,
    label: 'timed',
  });
  await clearDisposableGraph(graph);

  return {
    title: `Rescore: idgraph model rescore against ingest of the same ${fmt(settings.records)} records, one run`,
    services,
    settings: [
      `thresholds: auto ${settings.threshold}, review ${settings.reviewThreshold}; max candidates ${settings.maxCandidates}; ` +
        `ingest ${settings.workerProcesses} worker process(es) x ${settings.workerConcurrency} jobs, ${settings.batchSize} events per job; ` +
        `warm-up ${fmt(settings.warmupRecords)} records`,
    ],
    sections: rescoreSections(result, settings),
    results: { settings, result },
  };
});
