/**
 * Person history: the first (and the last) page of the history of a person built from 10,000
 * events, through GET /v1/persons/{id}/history against the raw statement the service runs for it.
 *
 * The person: one email joined by ~9,000 cookie ids, one event each, and 1,000 persons created
 * apart (a device id and a cookie id) and merged into it, all through the service (POST
 * /v1/events, an API and a worker process), so its history holds ~12,000 items: `created`,
 * `identifier_joined` and `merge`. Then --warmup untimed and --reads timed reads of the first
 * page (--page items) and of the last page, each read through the API (GET, body parsed) followed
 * by the raw read (read/person-history-page with the same parameters, through the benchmark's own
 * driver); p50 and p95 of each, and their ratio.
 */
import { benchLog } from './harness/bench-log.js';
import { runBenchmark } from './harness/run-benchmark.js';
import { cpuSnapshot } from './host/process-cpu.js';
import { startReadings } from './host/run-readings.js';
import { buildPerson, pageReads } from './history/history-run.js';
import { historySections } from './history/history-report.js';
import { historySettings } from './history/history-settings.js';
import { PRIVACY_BENCH_PREFIX, startPrivacyService } from './privacy/privacy-service.js';
import { fmt } from './report/result-tables.js';
import { benchServices, deleteQueueKeys } from './services/bench-services.js';
import { clearDisposableGraph, openDisposableGraph } from './services/disposable-graph.js';

runBenchmark('history', async (run) => {
  const settings = historySettings(process.argv.slice(2));
  const services = await benchServices(run.signal);
  run.onStop(() => services.stop());
  run.onStop(() => deleteQueueKeys(services.redisUrl, PRIVACY_BENCH_PREFIX));
  const graph = await openDisposableGraph(services);
  run.onStop(() => graph.close());
  // The privacy benchmark's service: one API and one worker process, service defaults.
  const service = await startPrivacyService({ services, processes: run.processes });
  run.onStop(() => service.stop());

  await clearDisposableGraph(graph);
  const person = await buildPerson(service, settings, `h${Date.now()}`);
  const deps = { graph, apiUrl: service.apiUrl };
  const pages = [
    { page: 'first' as const, cursor: null },
    { page: 'last' as const, cursor: person.lastCursor },
  ];
  if (settings.warmupReads > 0) {
    for (const p of pages)
      await pageReads(
        deps,
        { ...person, cursor: p.cursor },
        p.page,
        settings,
        settings.warmupReads,
      );
    benchLog('warm-up done (not counted)');
  }
  const readings = await startReadings(
    () =>
      cpuSnapshot({
        neo4j: [services.pids.neo4j],
        api: [service.api.child.pid],
      }),
    { minIdle: settings.waitIdle },
  );
  const reads = [];
  for (const p of pages)
    reads.push(
      await pageReads(deps, { ...person, cursor: p.cursor }, p.page, settings, settings.reads),
    );
  const cost = readings.end();
  await clearDisposableGraph(graph);

  return {
    title: `Person history: first page of a ${fmt(settings.events)}-event person through the API against raw Cypher`,
    services,
    settings: [
      `${fmt(settings.events)} events (${fmt(settings.merges)} persons merged in), ${settings.batchSize} per POST; ` +
        `pages of ${settings.pageSize}; ${settings.reads} timed reads per page each way after ${settings.warmupReads} untimed; ` +
        '1 API + 1 worker process (service defaults)',
    ],
    sections: historySections(person, reads, { ...readings, ...cost }),
    results: { settings, person, reads, readings: { ...readings, ...cost } },
  };
});
