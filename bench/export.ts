/**
 * Export: `idgraph export` of a 1,000,000-identifier graph (identifiers and links, NDJSON and CSV) against one streamed raw Cypher read.
 *
 * The graph (--persons persons of 4 identifiers and 3 active links each) is built on the server
 * with bench/write/export-graph, not through ingestion. Each round runs, for the identifier mapping,
 * the export's own code (src/export: keyset pages of --page identifiers, each formatted and written
 * to a stream that waits for `drain`) in NDJSON and in CSV, and the raw ceiling: the same rows in
 * one Cypher read streamed through the driver (Graph.stream), nothing formatted; then the same for
 * the links (NDJSON). The order alternates between rounds. Rates are rows per second and bytes per
 * second of output; the ratio is the export's median rate over the raw read's. The process RSS is
 * sampled every 50 ms: memory must stay flat whatever the graph's size.
 */
import {
  buildGraph,
  exportRun,
  exportSettings,
  rawRun,
  type TimedRun,
} from './export/export-runs.js';
import { benchLog } from './harness/bench-log.js';
import { runBenchmark } from './harness/run-benchmark.js';
import { fmt, median, table } from './report/result-tables.js';
import { benchServices } from './services/bench-services.js';
import { clearDisposableGraph, openDisposableGraph } from './services/disposable-graph.js';
import { exportTotals } from '../src/export/export-run.js';

runBenchmark('export', async (run) => {
  const settings = exportSettings(process.argv.slice(2));
  const services = await benchServices(run.signal);
  run.onStop(() => services.stop());
  const graph = await openDisposableGraph(services);
  run.onStop(() => graph.close());

  await clearDisposableGraph(graph);
  const buildSeconds = await buildGraph(graph, settings);
  const totals = await exportTotals(graph);
  benchLog(
    `graph: ${fmt(totals.identifiers)} identifiers, ${fmt(totals.links)} links in ${buildSeconds.toFixed(1)} s`,
  );
  if (totals.identifiers !== settings.persons * 4 || totals.links !== settings.persons * 3)
    throw new Error('the graph does not hold what was built');

  // One untimed pass of each read first: neither side runs on a cold page cache or JVM.
  await rawRun(graph, 'identifiers');
  await exportRun(graph, 'links', 'ndjson', settings.pageSize);
  const runs: TimedRun[] = [];
  for (let round = 0; round < settings.rounds; round++) {
    const steps = [
      () => exportRun(graph, 'identifiers', 'ndjson', settings.pageSize),
      () => exportRun(graph, 'identifiers', 'csv', settings.pageSize),
      () => rawRun(graph, 'identifiers'),
      () => exportRun(graph, 'links', 'ndjson', settings.pageSize),
      () => rawRun(graph, 'links'),
    ];
    for (const step of round % 2 === 0 ? steps : steps.reverse()) {
      const r = await step();
      const expected = r.table === 'identifiers' ? totals.identifiers : totals.links;
      if (r.rows !== expected)
        throw new Error(`${r.name} ${r.table}: ${r.rows} rows, not ${expected}`);
      benchLog(`round ${round + 1}: ${r.table} ${r.name}: ${r.seconds.toFixed(1)} s`);
      runs.push(r);
    }
  }
  await clearDisposableGraph(graph);

  const groups = [
    ['identifiers', 'export ndjson'],
    ['identifiers', 'export csv'],
    ['identifiers', 'raw Cypher (one read)'],
    ['links', 'export ndjson'],
    ['links', 'raw Cypher (one read)'],
  ] as const;
  const summary = groups.map(([t, name]) => {
    const of = runs.filter((r) => r.table === t && r.name === name);
    return {
      table: t,
      name,
      rowsPerSecond: median(of.map((r) => r.rowsPerSecond)),
      mbPerSecond: median(of.map((r) => r.bytes / 1e6 / r.seconds)),
      mb: of[0]!.bytes / 1e6,
      rssMaxMb: Math.max(...of.map((r) => r.rssMaxMb)),
      rssBeforeMb: Math.min(...of.map((r) => r.rssBeforeMb)),
    };
  });
  const raw = (t: string) => summary.find((s) => s.table === t && s.name.startsWith('raw'))!;
  return {
    title: `Export of a ${fmt(totals.identifiers)}-identifier graph (${fmt(totals.links)} links) against one streamed raw Cypher read`,
    services,
    settings: [
      `${fmt(settings.persons)} persons x 4 identifiers, 3 links each, built in ${buildSeconds.toFixed(1)} s; ` +
        `page ${fmt(settings.pageSize)} identifiers; ${settings.rounds} timed round(s) after one untimed read each way`,
    ],
    sections: [
      table(
        ['table', 'run', 'rows/s (median)', 'MB/s', 'output MB', 'of raw', 'RSS before', 'RSS max'],
        summary.map((s) => [
          s.table,
          s.name,
          fmt(s.rowsPerSecond),
          s.mb > 0 ? s.mbPerSecond.toFixed(1) : '-',
          s.mb > 0 ? s.mb.toFixed(1) : '-',
          `${((s.rowsPerSecond / raw(s.table).rowsPerSecond) * 100).toFixed(0)} %`,
          `${s.rssBeforeMb.toFixed(0)} MB`,
          `${s.rssMaxMb.toFixed(0)} MB`,
        ]),
      ),
      table(
        ['round', 'table', 'run', 'seconds', 'rows/s', 'load before'],
        runs.map((r, i) => [
          String(Math.floor(i / groups.length) + 1),
          r.table,
          r.name,
          r.seconds.toFixed(2),
          fmt(r.rowsPerSecond),
          r.loadBefore.toFixed(2),
        ]),
      ),
    ],
    results: { settings, totals, buildSeconds, runs, summary },
  };
});
