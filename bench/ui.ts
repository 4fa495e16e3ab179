/**
 * Audit console: time from navigation to a drawn person graph in headless Chromium, for persons of 100, 1,000 and 10,000 identifiers.
 *
 * Each person is written straight into the graph by one bench statement
 * (cypher/bench/write/ui-person; bench/ui/ui-person.ts: four identifier types, a tree of links,
 * every tenth probabilistic),
 * then opened --rounds times through the console served by one API process (src/main.ts --api),
 * each time in a fresh browser context, after --warmup untimed opens. The time is the console's
 * own mark: performance.now() when Cytoscape's layout has stopped and a frame has been painted
 * (since the navigation started: page, bundle, the two API reads, the model, the layout, the
 * paint). Target: the largest person within 2x the 1,000-identifier one (grouping by type keeps
 * the drawing flat).
 */
import { buildUi } from '../scripts/build-ui.mjs';
import { benchLog } from './harness/bench-log.js';
import { runBenchmark } from './harness/run-benchmark.js';
import { fmt, median, table } from './report/result-tables.js';
import { benchEnv } from './services/bench-env.js';
import { benchServices } from './services/bench-services.js';
import { clearDisposableGraph, openDisposableGraph } from './services/disposable-graph.js';
import { startServiceProcess, stopServiceProcess } from './services/service-process.js';
import { launchChromium, type OpenTiming, openPerson } from './ui/ui-open.js';
import { uiPerson } from './ui/ui-person.js';
import { uiSettings } from './ui/ui-settings.js';

runBenchmark('ui', async (run) => {
  const settings = uiSettings(process.argv.slice(2));
  await buildUi();
  const services = await benchServices(run.signal);
  run.onStop(() => services.stop());
  const graph = await openDisposableGraph(services);
  run.onStop(() => graph.close());
  await clearDisposableGraph(graph);
  run.onStop(() => clearDisposableGraph(graph));

  const persons = new Map<number, string>();
  for (const size of settings.sizes) {
    const personId = `per_benchui${size}`;
    await graph.query('bench/write/ui-person', { personId, ...uiPerson(size), now: Date.now() });
    persons.set(size, personId);
    benchLog(`person of ${fmt(size)} identifiers written`);
  }

  const api = await startServiceProcess(
    run.processes,
    'api',
    'ui api',
    benchEnv(services, { RATE_LIMIT_MAX: '0' }),
  );
  run.onStop(() => stopServiceProcess(api));
  const browser = await launchChromium(settings.chromium);
  run.onStop(() => browser.close());

  const results: { size: number; opens: OpenTiming[] }[] = [];
  for (const size of settings.sizes) {
    const personId = persons.get(size)!;
    for (let i = 0; i < settings.warmupRounds; i++) await openPerson(browser, api.url!, personId);
    const opens: OpenTiming[] = [];
    for (let i = 0; i < settings.rounds; i++)
      opens.push(await openPerson(browser, api.url!, personId));
    results.push({ size, opens });
    console.error(JSON.stringify((opens[0] as unknown as { debug: unknown }).debug, null, 1));
    benchLog(
      `${fmt(size)}: median ${fmt(median(opens.map((o) => o.drawnMs)))} ms, data read by ${fmt(median(opens.map((o) => o.dataMs)))} ms`,
    );
  }

  const medianOf = (size: number) =>
    median(results.find((r) => r.size === size)?.opens.map((o) => o.drawnMs) ?? []);
  const largest = Math.max(...settings.sizes);
  const ratio = medianOf(largest) / medianOf(1000);
  const rows = results.map((r) => {
    const times = r.opens.map((o) => o.drawnMs);
    return [
      fmt(r.size),
      `${fmt(r.opens[0]!.nodes)} / ${fmt(r.opens[0]!.edges)}`,
      fmt(median(r.opens.map((o) => o.dataMs))),
      fmt(median(times)),
      fmt(Math.min(...times)),
      fmt(Math.max(...times)),
    ];
  });
  return {
    title: `Audit console: navigation to a drawn person graph in headless Chromium`,
    services,
    settings: [
      `${settings.rounds} timed open(s) per person after ${settings.warmupRounds} untimed; a fresh browser context each; ` +
        `1 API process (service defaults); Chromium ${browser.version()} at ${settings.chromium}`,
    ],
    sections: [
      table(
        [
          'identifiers',
          'drawn nodes / edges',
          'data read by (median ms)',
          'drawn (median ms)',
          'min ms',
          'max ms',
        ],
        rows,
      ),
      Number.isFinite(ratio)
        ? `${fmt(largest)} / 1,000 identifiers: ${fmt(ratio, 2)}x (target: at most 2x) — ${
            ratio <= 2 ? 'within target' : 'NOT within target'
          }`
        : '',
    ],
    results: { settings, results, ratio },
  };
});
