/**
 * Ingest throughput end to end (POST /v1/events, queue, workers, graph) against the raw MERGE ceiling.
 *
 * The stream is the seeded test generator's (2-4 identifiers per event, ground truth known), cut
 * into requests of --batch events. A run starts on a cleared graph and a fresh queue, with the
 * workers already up, and is timed from the first POST until the queue reports every job
 * completed. Each run is then checked: every event applied once, every identifier, mention and unit
 * of link evidence present, the graph invariants at zero.
 *
 * With --consent yes every event carries consent purposes, so every identifier gets consent
 * states and history (the cost of recording consent at ingest).
 *
 * Layouts (--layouts, comma separated):
 *   inproc:C   one process runs the API and a worker of concurrency C (IDGRAPH_ROLE=all)
 *   procs:PxC  the API in this process, P worker processes (`src/main.ts --worker`) of concurrency C
 *
 * The ceiling replays the same identifiers, batch by batch, straight into Neo4j with
 * `bench/write/raw-merge` (one transaction per batch, --ceiling-concurrency at once): once the
 * distinct identifiers of each batch only, once with the batch's distinct identifier pairs MERGEd as
 * LINKED relationships too. No HTTP, queue, event log, persons, locks or resolution.
 *
 * Before the timed runs, --warmup untimed end-to-end runs (and as many ceiling passes) of the same
 * size with another seed warm the JVM's JIT: without them the first runs measure compilation, as
 * Neo4j's CPU per event keeps falling long after a start.
 * Every run reports the CPU time each process used, per 1000 events: on a shared machine wall
 * time depends on what else runs, CPU time per event much less.
 */
import { loadConfig } from '../src/config.js';
import { runBenchmark } from './harness/run-benchmark.js';
import { benchLog } from './harness/bench-log.js';
import { ceilingRun, type CeilingDeps } from './ingest/ceiling-run.js';
import { createRetryCounter, endToEndRun, type EndToEndDeps } from './ingest/end-to-end-run.js';
import { ingestTable, medianRates } from './ingest/ingest-report.js';
import type { RunResult } from './ingest/ingest-run-result.js';
import { type IngestSettings, ingestSettings } from './ingest/ingest-settings.js';
import { fmt } from './report/result-tables.js';
import { benchEnv } from './services/bench-env.js';
import { benchServices } from './services/bench-services.js';
import { clearDisposableGraph, openDisposableGraph } from './services/disposable-graph.js';
import { ceilingRows, ingestWorkload } from './workloads/ingest-stream.js';

runBenchmark('ingest', async (run) => {
  const settings = ingestSettings(process.argv.slice(2));
  const services = await benchServices(run.signal);
  run.onStop(() => services.stop());
  const graph = await openDisposableGraph(services);
  run.onStop(() => graph.close());
  const deps: EndToEndDeps & CeilingDeps = {
    services,
    graph,
    processes: run.processes,
    retries: createRetryCounter(),
    settings,
  };

  const config = loadConfig(benchEnv(services));
  const workload = (seed: number) => {
    const load = ingestWorkload(settings.events, seed, settings);
    return { load, rows: settings.ceiling === 'no' ? [] : ceilingRows(config, load) };
  };
  const { load: main, rows } = workload(settings.seed);
  benchLog(
    `${fmt(main.events)} events in ${main.bodies.length} requests of up to ${settings.batchSize}; ${fmt(main.expected.identifiers)} identifiers, ` +
      `${fmt(main.expected.mentions)} mentions, ${fmt(main.expected.evidence)} pairs; ${fmt(main.bodies.reduce((n, b) => n + b.length, 0) / main.bodies.length / 1024, 1)} KiB per request`,
  );
  await warmUp(deps, settings, () => workload(settings.seed + 1));

  const results: Record<string, RunResult[]> = {};
  for (const layout of settings.layouts) {
    const list: RunResult[] = (results[layout.label] = []);
    for (let i = 1; i <= settings.runs; i++)
      list.push(await endToEndRun(deps, layout, main, `${layout.label} run ${i}`));
  }
  if (settings.ceiling !== 'no') {
    for (const withPairs of [false, true]) {
      const label = withPairs ? 'ceiling: identifiers+links' : 'ceiling: identifiers';
      const list: RunResult[] = (results[label] = []);
      for (let i = 1; i <= settings.runs; i++)
        list.push(await ceilingRun(deps, main, rows, withPairs, `${label} run ${i}`));
    }
  }
  await clearDisposableGraph(graph);

  return {
    title: `Ingest: ${fmt(main.events)} events (seed ${settings.seed}, ${settings.order} order${settings.consent ? ', with consent' : ''}) in requests of ${settings.batchSize}, ${settings.runs} runs each after ${settings.warmupRuns} warm-up runs`,
    services,
    settings: [],
    sections: [ingestTable(results, main.events)],
    results: {
      events: main.events,
      batchSize: settings.batchSize,
      seed: settings.seed,
      order: settings.order,
      consent: settings.consent,
      runs: settings.runs,
      warmupRuns: settings.warmupRuns,
      ceilingConcurrency: settings.ceilingConcurrency,
      expected: main.expected,
      results,
      medians: medianRates(results),
    },
  };
});

/** Untimed runs of the first layout and of the ceiling on a stream of another seed: the JIT warms up. */
async function warmUp(
  deps: EndToEndDeps & CeilingDeps,
  settings: IngestSettings,
  workload: () => { load: ReturnType<typeof ingestWorkload>; rows: ReturnType<typeof ceilingRows> },
): Promise<void> {
  if (settings.warmupRuns === 0) return;
  const warm = workload();
  const first = settings.layouts[0];
  for (let i = 1; i <= settings.warmupRuns; i++) {
    const label = `warm-up ${i}/${settings.warmupRuns}`;
    if (first) await endToEndRun(deps, first, warm.load, `${label} ${first.label} (not counted)`);
    if (settings.ceiling !== 'no')
      await ceilingRun(deps, warm.load, warm.rows, true, `${label} ceiling (not counted)`);
  }
}
