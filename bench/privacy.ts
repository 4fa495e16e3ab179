/**
 * Privacy requests: revoke and erase of a 1,000-identifier person against raw Cypher; change-feed reads against a plain read.
 *
 * (a) A person of --identifiers identifiers built from --events events through the service (POST
 * /v1/events, an API and a worker process), the graph cleared before each build; a revoke request
 * (identity_linking) or an erase request of it by person id, timed from just before the POST to
 * the poll that sees it `completed`, against the raw Cypher that makes the same graph changes in
 * one transaction on a person built the same way (cypher/bench/write/raw-revoke, raw-erase),
 * --rounds rounds each, the order alternating; the ratio is median over median (target: at most 3).
 * (b) The change feed filled with --feed-entries entries and read whole through GET /v1/changes,
 * following cursors, against the plain read of the same ChangeBatch nodes by seq; the ratio is
 * the API's median rate over the raw one's.
 *
 * --warmup untimed rounds of each type come first, so that neither side runs on a cold JVM.
 */
import { benchLog } from './harness/bench-log.js';
import { runBenchmark } from './harness/run-benchmark.js';
import { feedReads } from './privacy/feed-run.js';
import { privacySections } from './privacy/privacy-report.js';
import { PRIVACY_BENCH_PREFIX, startPrivacyService } from './privacy/privacy-service.js';
import { privacySettings } from './privacy/privacy-settings.js';
import { type RequestBenchDeps, requestRounds } from './privacy/request-run.js';
import { fmt } from './report/result-tables.js';
import { benchServices, deleteQueueKeys } from './services/bench-services.js';
import { clearDisposableGraph, openDisposableGraph } from './services/disposable-graph.js';

runBenchmark('privacy', async (run) => {
  const settings = privacySettings(process.argv.slice(2));
  const services = await benchServices(run.signal);
  run.onStop(() => services.stop());
  run.onStop(() => deleteQueueKeys(services.redisUrl, PRIVACY_BENCH_PREFIX));
  const graph = await openDisposableGraph(services);
  run.onStop(() => graph.close());
  const service = await startPrivacyService({ services, processes: run.processes });
  run.onStop(() => service.stop());
  const deps: RequestBenchDeps = { services, graph, service, settings };

  if (settings.warmupRounds > 0) {
    for (const type of ['revoke', 'erase'] as const)
      await requestRounds(deps, type, settings.warmupRounds, { label: 'warmup', quiet: true });
    benchLog('warm-up done (not counted)');
  }
  const label = `t${Date.now()}`;
  const requests = [
    await requestRounds(deps, 'revoke', settings.rounds, { label }),
    await requestRounds(deps, 'erase', settings.rounds, { label }),
  ];
  const feed = await feedReads(deps);
  await clearDisposableGraph(graph);

  return {
    title: `Privacy requests: revoke and erase of a ${fmt(settings.identifiers)}-identifier person against raw Cypher; change-feed reads`,
    services,
    settings: [
      `${settings.rounds} timed round(s) per type after ${settings.warmupRounds} untimed; ${fmt(settings.events)} events per person, ` +
        `${settings.batchSize} per POST; 1 API + 1 worker process (service defaults); feed: ${fmt(settings.feedEntries)} entries, ` +
        `${settings.feedBatch} per batch, page ${settings.pageSize}, ${settings.feedRounds} reads each way`,
    ],
    sections: privacySections(requests, feed, settings),
    results: { settings, requests, feed },
  };
});
