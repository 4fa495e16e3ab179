/**
 * Matching accuracy (FEBRL3, FEBRL4, fake_1000) and speed through the real pipeline, next to Splink.
 *
 * The pipeline is POST /v1/events, queue, resolver, graph, and the API to read the results.
 *
 * Per data set (--only): train the model with the peer setup of bench/peers/peer-setups.ts (same
 * code, rules and seeds as the offline evaluation and Splink's examples), write it as a model file
 * (blocking rules, attribute kinds, mode), start a fresh API process and worker process(es) on a
 * cleared disposable graph with MATCH_MODEL_FILE and MATCH_AUTO_THRESHOLD = MATCH_REVIEW_THRESHOLD
 * = --threshold, send every record as one event (one `external_id` `<dataset>:<record id>`, its
 * attributes) in batches of --batch, wait until every job is completed, check that every event
 * came out applied, then read the persons (POST /v1/resolve) and their links
 * (GET /v1/persons/{id}/links) through the API:
 *   - links:   pairs joined by a probabilistic link with confidence >= --threshold (comparable with
 *              Splink's pairwise figures at p >= 0.5);
 *   - persons: every pair of records inside one person (clustered);
 * with recall over all true pairs; FEBRL4 counts only pairs across its two files (mode link).
 * The same model also scores the same records offline (no graph, every candidate pair at once) as
 * a reference: a gap between the two is the pipeline's doing (incremental order, batching, caps).
 *
 * Timed: training, ingest (first POST to last job completed), lookups (resolve + links), and the
 * end-to-end total of the three; starting the service processes is reported but not counted, and
 * so is warming them: before its timed ingest, a data set's fresh processes ingest and read back
 * synthetic records that are then cleared (warmService). Before the first data set, Neo4j is
 * warmed the same way, twice (warmUp; both in bench/accuracy/warm-ups.ts).
 *
 * Splink (unless --no-splink): bench/peers/splink_bench.py on the same files, one Python process
 * per data set and settings, timed around the process; Splink's published F1 at the threshold is
 * read from shared/data/published. The Python is the first with the pins of
 * bench/peers/requirements.txt among --python, IDGRAPH_SPLINK_PYTHON, ~/.cache/idgraph/splink-venv
 * and /tmp/splink-venv, else that first venv is created with pip.
 *
 * --repeats N runs each data set's idgraph run and Splink's published-settings run N - 1 more
 * times, alternating, for the end-to-end timings only (accuracy is from the first run, and every
 * run must find the same links); the medians and their ratio are reported.
 *
 * --speed adds the incremental speed runs: a synthetic FEBRL-like population (see
 * bench/workloads/febrl-population.ts) of --speed-records records is ingested first, then
 * --speed-runs batches of --speed-batch further records (half duplicates of persons already in the
 * graph, half new persons) are timed one after another; the median records/s is reported.
 * --speed-only skips the accuracy runs. --cpu-prof yes has the speed runs' API and worker processes
 * (their preload and timed runs, not the warm-ups) write V8 CPU profiles when they stop.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  accuracySettingsLines,
  datasetSections,
  timingsSections,
} from './accuracy/accuracy-report.js';
import { type AccuracyDeps, QUEUE_PREFIX } from './accuracy/accuracy-service.js';
import { type AccuracySettings, accuracySettings } from './accuracy/accuracy-settings.js';
import { runDataset } from './accuracy/dataset-run.js';
import { endToEndTimings, type FirstRun } from './accuracy/end-to-end-timings.js';
import { runSplinkPeers } from './accuracy/splink-runs.js';
import { warmUp } from './accuracy/warm-ups.js';
import { benchLog } from './harness/bench-log.js';
import { type BenchmarkRun, runBenchmark } from './harness/run-benchmark.js';
import { measuringSteal } from './host/machine-load.js';
import { publishedAccuracy } from './peers/splink-published.js';
import { splinkPython, splinkVersion } from './peers/splink-python.js';
import { fmt } from './report/result-tables.js';
import { benchServices, deleteQueueKeys } from './services/bench-services.js';
import { clearDisposableGraph, openDisposableGraph } from './services/disposable-graph.js';
import { speedSections } from './speed/speed-report.js';
import { runSpeed } from './speed/speed-runs.js';
import { type FebrlSources, loadFebrlSources } from './workloads/febrl-population.js';

runBenchmark('accuracy', async (run) => {
  const settings = accuracySettings(process.argv.slice(2));
  const deps = await accuracyDeps(run, settings);
  const python = settings.withSplink ? splinkPython(settings.python || undefined) : undefined;
  if (settings.withSplink && !python) benchLog('no python3: Splink is skipped');

  if (settings.warmupRecords > 0 && (settings.names.length > 0 || settings.speed)) {
    const seconds = await warmUp(deps, settings.warmupRecords);
    benchLog(
      `warm-up: ${fmt(settings.warmupRecords)} records in ${seconds.toFixed(1)} s (not counted)`,
    );
  }
  // The accuracy runs, then the speed runs, each data set and the speed runs on a graph of their own.
  const first: FirstRun[] = [];
  for (const name of settings.names) {
    const [result, steal] = await measuringSteal(() => runDataset(deps, name));
    first.push({ result, steal });
  }
  const speed = settings.speed ? await runSpeed(deps) : undefined;
  await clearDisposableGraph(deps.graph);

  // Splink last, with the service stopped: the two never share the CPU.
  const splink = python ? await runSplinkPeers(deps, python.python) : [];
  const timings = await endToEndTimings(deps, python?.python, first, splink);
  const published = new Map(
    settings.names.map((n) => [n, publishedAccuracy(settings.dataDir, n, settings.threshold)]),
  );

  const results = first.map((f) => f.result);
  const splinkResults = splink.map((s) => s.result);
  const splinkOf = (name: string, variant: string) =>
    splinkResults.find((s) => s.dataset === name && s.settings === variant);
  return {
    title: `Accuracy: idgraph pipeline (POST /v1/events -> queue -> resolver -> graph -> API) vs Splink${python ? ` ${splinkVersion(python.python)}` : ''}`,
    services: deps.services,
    settings: accuracySettingsLines(settings, python?.note),
    sections: [
      ...datasetSections(results, splinkOf, published, settings.threshold),
      ...timingsSections(results, timings, settings.repeats),
      ...(speed ? speedSections(speed, settings) : []),
    ],
    results: {
      settings: {
        threshold: settings.threshold,
        reviewThreshold: settings.reviewThreshold,
        maxCandidates: settings.maxCandidates,
        uMaxPairs: settings.uMaxPairs,
        termFrequencies: settings.tf,
        warmupRecords: settings.warmupRecords,
        workerProcesses: settings.workerProcesses,
        workerConcurrency: settings.workerConcurrency,
        batchSize: settings.batchSize,
        splinkSettings: settings.withSplink ? settings.splinkSettings : [],
      },
      splinkPython: python?.python,
      datasets: results,
      splink: splinkResults,
      published: Object.fromEntries(published),
      timings: Object.fromEntries(timings),
      speed,
    },
  };
});

/**
 * The services, the disposable graph and a directory for model files, each stopped (or removed)
 * by the run's ending, with the queue keys the run's services left in Redis.
 */
async function accuracyDeps(run: BenchmarkRun, settings: AccuracySettings): Promise<AccuracyDeps> {
  const services = await benchServices(run.signal);
  run.onStop(() => services.stop());
  run.onStop(() => deleteQueueKeys(services.redisUrl, QUEUE_PREFIX));
  const graph = await openDisposableGraph(services);
  run.onStop(() => graph.close());
  const modelDir = mkdtempSync(join(tmpdir(), 'idgraph-bench-accuracy-'));
  run.onStop(() => rmSync(modelDir, { recursive: true, force: true }));
  let sources: FebrlSources | undefined;
  return {
    services,
    graph,
    processes: run.processes,
    modelDir,
    settings,
    febrlSources: () => (sources ??= loadFebrlSources(settings.dataDir)),
  };
}
