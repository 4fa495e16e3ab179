/**
 * Replay rate (idgraph replay of the event log into a second graph) against the ingest rate of the same stream.
 *
 * The stream is the seeded test generator's, cut into requests of --batch events. Each round:
 * the stream is ingested end to end (POST /v1/events, queue, a worker of --concurrency in the API's
 * process, timed from the first POST until every job completed, then verified, exactly as `npm run
 * bench -- ingest` does), then that graph's event log is replayed into a second Neo4j (same
 * launcher and memory) through the library `idgraph replay` runs, timed from its first read of the
 * log to its last batch (the target wiped and migrated before, untimed), and the two graphs are
 * diffed (they must be identical; the diff's time is reported too). The replay keeps the source's
 * batches and resolves one batch at a time.
 * --warmup untimed rounds of a stream with another seed come first.
 */
import { runBenchmark } from './harness/run-benchmark.js';
import { benchFlags, positiveInt } from './harness/bench-flags.js';
import { benchLog } from './harness/bench-log.js';
import { createRetryCounter, endToEndRun, type EndToEndDeps } from './ingest/end-to-end-run.js';
import { median, fmt, table } from './report/result-tables.js';
import { replayRun, startTarget } from './replay/replay-run.js';
import { benchServices } from './services/bench-services.js';
import { openDisposableGraph } from './services/disposable-graph.js';
import { ingestWorkload } from './workloads/ingest-stream.js';

runBenchmark('replay', async (run) => {
  const flags = benchFlags(
    'usage: npm run bench -- replay [flags]',
    {
      events: { default: '20000', help: 'events in the stream' },
      rounds: { default: '3', help: 'timed rounds (ingest, then replay; medians reported)' },
      batch: { default: '1000', help: 'events per POST (= per job, per replayed batch)' },
      concurrency: { default: '1', help: 'worker concurrency of the ingest side' },
      seed: { default: '42', help: 'generator seed' },
      warmup: { default: '1', help: 'untimed rounds first (another seed)' },
    },
    process.argv.slice(2),
  );
  const settings = {
    events: positiveInt(flags.events, 'events'),
    rounds: positiveInt(flags.rounds, 'rounds'),
    batchSize: positiveInt(flags.batch, 'batch'),
    concurrency: positiveInt(flags.concurrency, 'concurrency'),
    seed: positiveInt(flags.seed, 'seed'),
    warmup: Number(flags.warmup),
  };
  const services = await benchServices(run.signal);
  run.onStop(() => services.stop());
  const graph = await openDisposableGraph(services);
  run.onStop(() => graph.close());
  const target = await startTarget(run.signal);
  run.onStop(() => target.stop());
  const deps: EndToEndDeps = {
    services,
    graph,
    processes: run.processes,
    retries: createRetryCounter(),
    settings: { waitIdle: 0, cpuProfDir: undefined },
  };
  const layout = {
    kind: 'inproc' as const,
    concurrency: settings.concurrency,
    label: `inproc:${settings.concurrency}`,
  };
  const round = async (seed: number, label: string) => {
    const load = ingestWorkload(settings.events, seed, {
      batchSize: settings.batchSize,
      order: 'stream',
    });
    const ingest = await endToEndRun(deps, layout, load, `${label} ingest`);
    const replayed = await replayRun(services, graph, target, `${label} replay`);
    return { ingest, replayed };
  };
  for (let i = 1; i <= settings.warmup; i++) await round(settings.seed + i, `warm-up ${i}`);
  if (settings.warmup > 0) benchLog('warm-up done (not counted)');
  const rounds = [];
  for (let i = 1; i <= settings.rounds; i++) rounds.push(await round(settings.seed, `round ${i}`));

  const ingestRate = median(rounds.map((r) => r.ingest.eventsPerSecond));
  const replayRate = median(rounds.map((r) => r.replayed.eventsPerSecond));
  const diffRate = median(
    rounds.map((r) => r.replayed.report.identifiers / r.replayed.diffSeconds),
  );
  const rows = rounds.map((r, i) => [
    String(i + 1),
    fmt(r.ingest.eventsPerSecond),
    fmt(r.replayed.eventsPerSecond),
    (r.replayed.eventsPerSecond / r.ingest.eventsPerSecond).toFixed(2),
    `${r.replayed.diffSeconds.toFixed(2)} s`,
  ]);
  return {
    title: `Replay rate against ingest rate: ${fmt(settings.events)} events`,
    services,
    settings: [
      `${settings.rounds} timed round(s) after ${settings.warmup} untimed; ${settings.batchSize} events per POST and per replayed batch; ingest: API + worker of concurrency ${settings.concurrency} in one process; replay: one batch at a time into a second Neo4j of the same memory`,
    ],
    sections: [
      table(['round', 'ingest events/s', 'replay events/s', 'replay / ingest', 'diff'], rows),
      `median: ingest ${fmt(ingestRate)} events/s, replay ${fmt(replayRate)} events/s (${(replayRate / ingestRate).toFixed(2)}x); diff ${fmt(diffRate)} identifiers/s`,
    ],
    results: { settings, rounds, medians: { ingestRate, replayRate, diffRate } },
  };
});
