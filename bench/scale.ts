/**
 * Scaling on one machine: ingest with 1, 2 and 4 worker processes while lookups run at a fixed rate, as ratios.
 *
 * Every part of the service is a process of its own, as behind a load balancer: one API process
 * (`src/main.ts --api`) and N worker processes (`src/main.ts --worker`, WORKER_CONCURRENCY
 * --concurrency each) on one Neo4j and one Redis, which this benchmark starts. A run, per worker
 * count, on a cleared graph and a fresh queue:
 *   1. the lookup population (--base-events, identifiers tagged apart from the measured stream's)
 *      is ingested untimed: it warms the JIT of every process, and gives lookups known answers;
 *   2. a child process sends GET /v1/resolve for the population's identifiers at --rate per second,
 *      open loop (a slow answer does not hold back the next request), for the rest of the run;
 *   3. --idle-seconds with lookups only, the measured stream (--events in requests of --batch,
 *      --order) POSTed and timed until its last job completed, --idle-seconds with lookups only.
 * Reported per worker count: ingest events/s and its ratio to one worker's; lookup p50 / p99 under
 * ingest against the same run's idle phases (before and after pooled), as ratios; CPU per 1000
 * events of each process group. Each run must apply every event once with the invariants at
 * zero, and the measured stream's partition, resolved back through the API, must equal the
 * generator's truth — the same partition however many workers ran.
 */
import { createRandom } from '../src/matching/training/random-source.js';
import { generateStream, prng, shuffle } from '../test/support/identity-generator.js';
import { benchLog } from './harness/bench-log.js';
import { runBenchmark } from './harness/run-benchmark.js';
import { fmt } from './report/result-tables.js';
import { costTable, scaleTable } from './scale/scale-report.js';
import {
  digestOf,
  type ScaleRunResult,
  scaleRun,
  type ScaleWorkload,
  truthPartition,
} from './scale/scale-run.js';
import { type ScaleSettings, scaleSettings } from './scale/scale-settings.js';
import { benchServices } from './services/bench-services.js';
import { clearDisposableGraph, openDisposableGraph } from './services/disposable-graph.js';
import { requestBodies, splitKey, taggedStream } from './workloads/tagged-stream.js';

function workload(settings: ScaleSettings): ScaleWorkload {
  const stream = generateStream({ events: settings.events, seed: settings.seed });
  const ordered =
    settings.order === 'shuffled'
      ? shuffle(stream.events, prng(settings.seed + 1000))
      : stream.events;
  const base = taggedStream(settings.baseEvents, settings.seed + 1, 'base');
  const lookupPaths = shuffle([...base.truth.keys()], createRandom(settings.seed + 2)).map(
    (key) => {
      const { type, value } = splitKey(key);
      return `/v1/resolve?type=${type}&value=${encodeURIComponent(value)}`;
    },
  );
  return {
    bodies: requestBodies(ordered, settings.batchSize),
    events: stream.events.length,
    truth: stream.truth,
    baseBodies: requestBodies(base.events, settings.batchSize),
    baseEvents: base.events.length,
    lookupPaths,
  };
}

runBenchmark('scale', async (run) => {
  const settings = scaleSettings(process.argv.slice(2));
  const load = workload(settings);
  const truthDigest = digestOf(truthPartition(load.truth));
  benchLog(
    `${fmt(load.events)} events (${settings.order}) in ${load.bodies.length} requests; ${fmt(load.truth.size)} identifiers; ` +
      `lookup population ${fmt(load.baseEvents)} events, ${fmt(load.lookupPaths.length)} identifiers`,
  );
  const services = await benchServices(run.signal);
  run.onStop(() => services.stop());
  const graph = await openDisposableGraph(services);
  run.onStop(() => graph.close());

  const results: ScaleRunResult[] = [];
  for (const workers of settings.workers)
    results.push(
      await scaleRun(
        { services, graph, processes: run.processes, settings },
        workers,
        load,
        truthDigest,
      ),
    );
  await clearDisposableGraph(graph);

  const same = new Set(results.map((r) => r.partition.digest)).size === 1;
  return {
    title: `Scale: ${fmt(load.events)} events (${settings.order}, seed ${settings.seed}) with ${settings.workers.join(', ')} worker processes x ${settings.concurrency}, lookups at ${settings.rate}/s`,
    services,
    settings: [
      `processes: 1 API (src/main.ts --api) + N workers (src/main.ts --worker, WORKER_CONCURRENCY=${settings.concurrency}), LOG_LEVEL=info, RATE_LIMIT_MAX=0; requests of ${settings.batchSize} events`,
      `lookups: GET /v1/resolve at ${settings.rate}/s open loop from a child process, over ${fmt(load.lookupPaths.length)} identifiers of a ${fmt(load.baseEvents)}-event population ingested untimed first; idle ${settings.idleSeconds} s before and after the ingest`,
    ],
    sections: [
      scaleTable(results),
      costTable(results, load.events),
      `Partition: ${same ? 'the same for every worker count' : 'NOT the same for every worker count'}; ` +
        `${results.every((r) => r.partition.equalsTruth) ? 'equal to the generator’s truth in every run' : 'differs from the truth in some run'}.`,
    ],
    results: {
      settings,
      events: load.events,
      identifiers: load.truth.size,
      results,
      samePartition: same,
    },
  };
});
