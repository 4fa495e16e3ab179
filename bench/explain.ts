/**
 * Why-answers: POST /v1/explain of pairs 6 links apart in a large person, p50/p95 against the raw Cypher shortestPath read.
 *
 * A person is bulk-loaded in the shape the resolver writes (bench/explain/explain-workload.ts): a
 * and b 6 links apart along width^5 shortest paths, a and c 6 links apart along a chain, plus
 * --extra identifiers hanging off the braid's inner layers. One API process answers
 * POST /v1/explain (normalise, read both sides, weigh at most 1,000 shortest paths, map the path),
 * one request at a time; each request is followed by the raw shortestPath read of the same pair
 * from this process, the pairs taking turns. --warmup untimed requests each way come first, so
 * that neither side runs on a cold JVM. The ratio is the API's percentile over the raw read's.
 */
import { benchLog } from './harness/bench-log.js';
import { runBenchmark } from './harness/run-benchmark.js';
import { explainSections, summarise } from './explain/explain-report.js';
import { explainRequests } from './explain/explain-run.js';
import { explainSettings } from './explain/explain-settings.js';
import { BRAID_PAIR, CHAIN_PAIR, loadExplainPerson } from './explain/explain-workload.js';
import { fmt } from './report/result-tables.js';
import { benchEnv } from './services/bench-env.js';
import { benchServices } from './services/bench-services.js';
import { clearDisposableGraph, openDisposableGraph } from './services/disposable-graph.js';
import { startServiceProcess, stopServiceProcess } from './services/service-process.js';

runBenchmark('explain', async (run) => {
  const settings = explainSettings(process.argv.slice(2));
  const services = await benchServices(run.signal);
  run.onStop(() => services.stop());
  const graph = await openDisposableGraph(services);
  run.onStop(() => graph.close());
  await clearDisposableGraph(graph);
  const workload = await loadExplainPerson(graph, settings);
  benchLog(`loaded a person of ${fmt(workload.identifiers)} identifiers`);
  const api = await startServiceProcess(
    run.processes,
    'api',
    'explain api',
    benchEnv(services, { RATE_LIMIT_MAX: '0' }),
  );
  run.onStop(() => stopServiceProcess(api));

  const pairs = [BRAID_PAIR, CHAIN_PAIR];
  if (settings.warmup > 0) {
    await explainRequests(api.url!, graph, pairs, settings.warmup, 'warmup');
    benchLog('warm-up done (not counted)');
  }
  const latencies = await explainRequests(api.url!, graph, pairs, settings.requests, 'timed');
  const summaries = pairs.map((pair, n) => summarise(pair, latencies[n]!));
  await clearDisposableGraph(graph);

  return {
    title: `Why-answers: POST /v1/explain of pairs 6 links apart in a ${fmt(workload.identifiers)}-identifier person against the raw shortestPath read`,
    services,
    settings: [
      `${settings.requests} timed requests each way after ${settings.warmup} untimed; braid width ${settings.width}, ` +
        `${fmt(settings.extra)} extra identifiers; 1 API process (service defaults)`,
    ],
    sections: explainSections(workload, summaries, settings),
    results: { settings, workload, summaries, latencies },
  };
});
