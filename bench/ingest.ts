/**
 * Ingest throughput end to end (POST /v1/events, queue, workers, graph) against the raw MERGE ceiling.
 *
 * The stream is the seeded test generator's (2-4 identifiers per event, ground truth known), cut
 * into requests of --batch events. A run starts on a cleared graph and a fresh queue, with the
 * workers already up, and is timed from the first POST until the queue reports every job
 * completed. Each run is then checked: every event applied once, every identifier, mention and unit
 * of link evidence present, the graph invariants at zero.
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
 * size with another seed warm the JVM's JIT: without them the first runs measure compilation (Neo4j's
 * CPU per event kept falling for about 200,000 events after a start).
 * Every run reports the CPU time each process used, per 1000 events: on a shared machine wall
 * time depends on what else runs, CPU time per event much less.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { REPO_ROOT } from '../scripts/local-services.mjs';
import { type Config, loadConfig } from '../src/config.js';
import { createGraph, type Graph } from '../src/graph/graph-client.js';
import { type BenchGraph, benchStatements } from './cypher-support.js';
import { applyMigrations } from '../src/graph/migrations.js';
import { pino } from 'pino';
import { createLogger, loggerOptions } from '../src/logger.js';
import { prepareEvents } from '../src/resolver/prepare-events.js';
import { identifierRegistry } from '../src/resolver/resolver-config.js';
import { createRuntime } from '../src/runtime.js';
import { generateStream, prng, shuffle } from '../test/support/identity-generator.js';
import {
  type BenchServices,
  benchAuthHeader,
  benchEnv,
  benchFlags,
  benchLog,
  benchServices,
  claimDisposableGraph,
  clearDisposableGraph,
  describeHost,
  describeMachine,
  describeSteal,
  fmt,
  hostSpeed,
  loadAverage,
  machineCpu,
  machineInfo,
  median,
  positiveInt,
  processCpuSeconds,
  saveResults,
  stealShare,
  table,
  waitForIdle,
} from './bench-support.js';

const flags = benchFlags('usage: npm run bench -- ingest [flags]', {
  events: { default: '100000', help: 'events in the stream' },
  runs: { default: '3', help: 'timed runs per layout and per ceiling (median reported)' },
  batch: { default: '1000', help: 'events per POST (= per job, per ceiling transaction)' },
  seed: { default: '42', help: 'generator seed' },
  layouts: {
    default: 'inproc:3,procs:2x2,procs:1x3',
    help: 'worker layouts: inproc:C (API + worker of concurrency C in one process), procs:PxC (P worker processes)',
  },
  'ceiling-concurrency': { default: '2', help: 'ceiling transactions in flight at once' },
  ceiling: { default: 'yes', help: 'yes | no | only' },
  warmup: {
    default: '2',
    help: 'untimed warm-up runs (end to end, and ceiling passes) before the timed ones',
  },
  order: {
    default: 'stream',
    help: 'stream (as generated: persons appear one after another) | shuffled (merge-heavy)',
  },
  'wait-idle': {
    default: '0',
    help: 'before each timed run, wait (at most 5 min) until the machine is this % idle',
  },
  'cpu-prof': {
    default: 'no',
    help: 'yes: worker processes write V8 CPU profiles to bench/.results/cpu-prof/',
  },
});

const events = positiveInt(flags.events, 'events');
const runs = positiveInt(flags.runs, 'runs');
const batchSize = positiveInt(flags.batch, 'batch');
const seed = positiveInt(flags.seed, 'seed');
const ceilingConcurrency = positiveInt(flags['ceiling-concurrency'], 'ceiling-concurrency');
const warmupRuns = flags.warmup === '0' ? 0 : positiveInt(flags.warmup, 'warmup');
const waitIdle = Number(flags['wait-idle']) / 100;
if (!(waitIdle >= 0 && waitIdle <= 1)) throw new Error('--wait-idle must be a percentage');
if (!['stream', 'shuffled'].includes(flags.order))
  throw new Error('--order must be stream or shuffled');
const cpuProfDir =
  flags['cpu-prof'] === 'yes' ? join(REPO_ROOT, 'bench', '.results', 'cpu-prof') : undefined;
if (batchSize > 1000) throw new Error('--batch must be at most 1000 (the API limit)');
if (!['yes', 'no', 'only'].includes(flags.ceiling))
  throw new Error('--ceiling must be yes, no or only');

type Layout =
  | { kind: 'inproc'; concurrency: number; label: string }
  | { kind: 'procs'; processes: number; concurrency: number; label: string };

function parseLayout(text: string): Layout {
  const inproc = /^inproc:(\d+)$/.exec(text);
  if (inproc)
    return { kind: 'inproc', concurrency: positiveInt(inproc[1]!, 'layouts'), label: text };
  const procs = /^procs:(\d+)x(\d+)$/.exec(text);
  if (procs)
    return {
      kind: 'procs',
      processes: positiveInt(procs[1]!, 'layouts'),
      concurrency: positiveInt(procs[2]!, 'layouts'),
      label: text,
    };
  throw new Error(`--layouts: "${text}" is neither inproc:C nor procs:PxC`);
}
const layouts =
  flags.ceiling === 'only' ? [] : flags.layouts.split(',').map((l) => parseLayout(l.trim()));

// ------------------------------------------------------------------------------------------------
// Workloads, prepared before anything is timed.

interface Workload {
  events: number;
  /** Request bodies, serialised up front: the client's JSON work is not the service's. */
  bodies: string[];
  batches: ReturnType<typeof generateStream>['events'][];
  /** graph-totals after a run: each event once, each identifier once, one mention per carried identifier, one unit of evidence per pair. */
  expected: { events: number; identifiers: number; mentions: number; evidence: number };
}

function workload(size: number, streamSeed: number): Workload {
  const stream = generateStream({ events: size, seed: streamSeed });
  // Shuffled, a person's events spread over many batches, each seen first with a different
  // identifier: most joins become merges of existing persons (locks, absorbs, audit records).
  const ordered =
    flags.order === 'shuffled' ? shuffle(stream.events, prng(streamSeed + 1000)) : stream.events;
  const batches = [];
  for (let i = 0; i < ordered.length; i += batchSize) batches.push(ordered.slice(i, i + batchSize));
  return {
    events: stream.events.length,
    bodies: batches.map((b) => JSON.stringify({ events: b })),
    batches,
    expected: {
      events: stream.events.length,
      identifiers: stream.truth.size,
      mentions: stream.events.reduce((n, e) => n + e.identifiers.length, 0),
      evidence: stream.events.reduce(
        (n, e) => n + (e.identifiers.length * (e.identifiers.length - 1)) / 2,
        0,
      ),
    },
  };
}

/** Per batch: its distinct identifiers (sorted, normalised exactly as ingestion does) and distinct pairs. */
function ceilingRows(config: Config, load: Workload) {
  const registry = identifierRegistry(config);
  return load.batches.map((batch) => {
    const { prepared } = prepareEvents(batch, registry);
    const identifiers = new Map<string, { key: string; type: string; value: string }>();
    const pairs = new Map<string, { fromKey: string; toKey: string }>();
    for (const event of prepared) {
      const ids = event.identifiers; // sorted by key
      for (const id of ids)
        identifiers.set(id.key, { key: id.key, type: id.type, value: id.value });
      for (let i = 0; i < ids.length; i++) {
        for (let j = i + 1; j < ids.length; j++)
          pairs.set(`${ids[i]!.key}\u0000${ids[j]!.key}`, {
            fromKey: ids[i]!.key,
            toKey: ids[j]!.key,
          });
      }
    }
    const byKey = <T>(m: Map<string, T>) =>
      [...m.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, v]) => v);
    return { identifiers: byKey(identifiers), pairs: byKey(pairs) };
  });
}

// ------------------------------------------------------------------------------------------------
// CPU accounting

interface RunResult {
  seconds: number;
  eventsPerSecond: number;
  /** CPU seconds used during the run, per process: neo4j, redis, bench (this process), workers. */
  cpu: Record<string, number>;
  /** One-minute load average before the run: above the core count, something else was running. */
  loadBefore: number;
  /** Share of CPU idle over the 2 s before the run: well below 1, something else was running. */
  idleBefore: number;
  /** Share of the machine's CPU time the hypervisor took during the run (undefined: unknown). */
  steal: number | undefined;
  /** {@link hostSpeed} just before the run (MB/s). */
  hostBefore: number;
  /** Transaction functions run again after a deadlock or stale read (batches of this run). */
  retries: number;
}

/** CPU seconds per process so far; `bench` is this process (the API, and an in-process worker). */
function cpuSnapshot(
  services: BenchServices,
  workers: readonly ChildProcess[],
): Record<string, number> {
  const self = process.cpuUsage();
  const snapshot: Record<string, number> = { bench: (self.user + self.system) / 1e6 };
  const neo4j = processCpuSeconds(services.pids.neo4j);
  const redis = processCpuSeconds(services.pids.redis);
  if (neo4j !== undefined) snapshot.neo4j = neo4j;
  if (redis !== undefined) snapshot.redis = redis;
  const workerCpu = workers
    .map((w) => processCpuSeconds(w.pid))
    .filter((v): v is number => v !== undefined);
  if (workerCpu.length > 0) snapshot.workers = workerCpu.reduce((a, b) => a + b, 0);
  return snapshot;
}

const cpuDelta = (before: Record<string, number>, after: Record<string, number>) =>
  Object.fromEntries(Object.keys(after).map((k) => [k, after[k]! - (before[k] ?? 0)]));

/** CPU milliseconds per 1000 events, per process. */
const cpuPer1000 = (cpu: Record<string, number>, n: number) =>
  Object.fromEntries(Object.entries(cpu).map(([k, v]) => [k, (1000 * v) / (n / 1000)]));

const describeCpu = (cpu: Record<string, number>, n: number) =>
  Object.entries(cpuPer1000(cpu, n))
    .map(([k, v]) => `${k} ${fmt(v)}`)
    .join(', ');

// ------------------------------------------------------------------------------------------------
// Runs

const logger = createLogger('warn');
const children = new Set<ChildProcess>();

/**
 * Transaction retries (deadlocks between concurrent batches, stale reads), counted from the
 * resolver's 'batch transaction retried' log lines at info level; warnings and errors pass through.
 */
const retries = { count: 0 };
function countRetries(line: string): void {
  if (!line.startsWith('{')) return;
  try {
    const entry = JSON.parse(line) as { level?: number; msg?: string; attempts?: number };
    if (entry.msg === 'batch transaction retried') retries.count += (entry.attempts ?? 1) - 1;
    else if ((entry.level ?? 0) >= 40) process.stderr.write(`${line}\n`);
  } catch {
    // not a log line
  }
}
const runtimeLogger = pino(loggerOptions('info'), {
  write: (chunk: string) => chunk.split('\n').forEach(countRetries),
});

async function verify(graph: Graph, load: Workload, label: string): Promise<void> {
  const [totals] = await graph.query<Record<string, number>>('read/graph-totals');
  const [violations] = await graph.query<Record<string, number>>('read/graph-invariants');
  const problems: string[] = [];
  for (const [key, value] of Object.entries(load.expected))
    if (totals?.[key] !== value) problems.push(`${key}: ${totals?.[key]} (expected ${value})`);
  for (const [key, value] of Object.entries(violations ?? {}))
    if (value !== 0) problems.push(`${key}: ${value}`);
  if (problems.length > 0)
    throw new Error(`${label}: the graph is wrong after the run:\n  ${problems.join('\n  ')}`);
}

function spawnWorker(env: Record<string, string>): ChildProcess {
  const profile = cpuProfDir ? ['--cpu-prof', '--cpu-prof-dir', cpuProfDir] : [];
  const child = spawn(
    process.execPath,
    [...profile, '--import', 'tsx', 'src/main.ts', '--worker'],
    {
      cwd: REPO_ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  children.add(child);
  child.once('exit', () => children.delete(child));
  let pending = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    const lines = (pending + chunk.toString()).split('\n');
    pending = lines.pop() ?? '';
    lines.forEach(countRetries);
  });
  return child;
}

function waitForReady(child: ChildProcess, timeoutMs = 60_000): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(
      () => reject(new Error(`worker process not ready within ${timeoutMs / 1000} s`)),
      timeoutMs,
    );
    child.stdout?.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      if (seen.includes('idgraph worker ready')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`worker process exited with ${code} before it was ready`));
    });
  });
}

async function stopWorker(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  await new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

async function ingestRun(
  services: BenchServices,
  graph: Graph,
  layout: Layout,
  load: Workload,
  label: string,
): Promise<RunResult> {
  await clearDisposableGraph(graph);
  const env = benchEnv(services, {
    INGEST_QUEUE: `bench-${randomUUID()}`,
    WORKER_CONCURRENCY: String(layout.concurrency),
    LOG_LEVEL: 'info',
  });
  const runtime = await createRuntime(loadConfig(env), {
    role: layout.kind === 'inproc' ? 'all' : 'api',
    logger: runtimeLogger,
  });
  const workers: ChildProcess[] = [];
  try {
    if (layout.kind === 'procs') {
      for (let i = 0; i < layout.processes; i++) workers.push(spawnWorker(env));
      await Promise.all(workers.map((w) => waitForReady(w)));
    }
    const baseUrl = await runtime.app!.listen({ host: '127.0.0.1', port: 0 });
    const idleBefore = await waitForIdle(waitIdle);
    const hostBefore = hostSpeed();
    const loadBefore = loadAverage();
    const cpuBefore = cpuSnapshot(services, workers);
    const machineBefore = machineCpu();
    const retriesBefore = retries.count;
    const started = performance.now();
    for (const body of load.bodies) {
      const response = await fetch(`${baseUrl}/v1/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...benchAuthHeader },
        body,
      });
      if (response.status !== 202)
        throw new Error(`POST /v1/events answered ${response.status}: ${await response.text()}`);
      await response.arrayBuffer();
    }
    const posted = performance.now();
    for (;;) {
      const counts = await runtime.ingest.depth();
      if ((counts.failed ?? 0) > 0) throw new Error(`${counts.failed} job(s) failed`);
      if ((counts.completed ?? 0) >= load.bodies.length) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    const seconds = (performance.now() - started) / 1000;
    const cpu = cpuDelta(cpuBefore, cpuSnapshot(services, workers));
    const steal = stealShare(machineBefore, machineCpu());
    const txRetries = retries.count - retriesBefore;
    benchLog(
      `${label}: ${fmt(load.events / seconds)} events/s (${seconds.toFixed(2)} s; POSTs done after ${((posted - started) / 1000).toFixed(2)} s; ` +
        `${txRetries} transaction retries; ` +
        `idle before ${Math.round(idleBefore * 100)} %, load ${loadBefore.toFixed(1)}, host ${describeHost(hostBefore)}, steal during ${describeSteal(steal)}; CPU ms per 1000 events: ${describeCpu(cpu, load.events)})`,
    );
    await verify(graph, load, label);
    await runtime.ingest.queue.obliterate({ force: true });
    return {
      seconds,
      eventsPerSecond: load.events / seconds,
      cpu,
      loadBefore,
      idleBefore,
      steal,
      hostBefore,
      retries: txRetries,
    };
  } finally {
    await Promise.all(workers.map((w) => stopWorker(w)));
    await runtime.close();
  }
}

type CeilingRows = ReturnType<typeof ceilingRows>;

async function ceilingRun(
  services: BenchServices,
  graph: BenchGraph,
  load: Workload,
  rows: CeilingRows,
  withPairs: boolean,
  label: string,
): Promise<RunResult> {
  await clearDisposableGraph(graph);
  const now = Date.now();
  let next = 0;
  let txRetries = 0;
  const idleBefore = await waitForIdle(waitIdle);
  const hostBefore = hostSpeed();
  const loadBefore = loadAverage();
  const cpuBefore = cpuSnapshot(services, []);
  const machineBefore = machineCpu();
  const started = performance.now();
  await Promise.all(
    Array.from({ length: ceilingConcurrency }, async () => {
      while (next < rows.length) {
        const batch = rows[next++]!;
        let attempts = 0;
        await graph.writeTransaction('bench-raw-merge', (tx) => {
          attempts += 1;
          return tx.run('bench/write/raw-merge', {
            identifiers: batch.identifiers,
            pairs: withPairs ? batch.pairs : [],
            now,
          });
        });
        txRetries += attempts - 1;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const cpu = cpuDelta(cpuBefore, cpuSnapshot(services, []));
  const steal = stealShare(machineBefore, machineCpu());
  benchLog(
    `${label}: ${fmt(load.events / seconds)} events/s (${seconds.toFixed(2)} s; ${txRetries} transaction retries; idle before ${Math.round(idleBefore * 100)} %, load ${loadBefore.toFixed(1)}, host ${describeHost(hostBefore)}, steal during ${describeSteal(steal)}; CPU ms per 1000 events: ${describeCpu(cpu, load.events)})`,
  );
  const [totals] = await graph.query<{ identifiers: number }>('read/graph-totals');
  if (totals?.identifiers !== load.expected.identifiers)
    throw new Error(
      `${label}: ${totals?.identifiers} identifiers, expected ${load.expected.identifiers}`,
    );
  return {
    seconds,
    eventsPerSecond: load.events / seconds,
    cpu,
    loadBefore,
    idleBefore,
    steal,
    hostBefore,
    retries: txRetries,
  };
}

// ------------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const services = await benchServices();
  const stop = async () => {
    for (const child of children) child.kill('SIGKILL');
    await services.stop();
  };
  let interrupted = false;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (interrupted) return;
      interrupted = true;
      benchLog(`${signal}: stopping`);
      void stop().finally(() => process.exit(130));
    });
  }
  const config = loadConfig(benchEnv(services));
  const graph = createGraph({
    uri: services.neo4jUri,
    user: config.NEO4J_USER,
    password: config.NEO4J_PASSWORD,
    logger,
    statements: benchStatements(),
  });
  try {
    await applyMigrations(graph, logger);
    await claimDisposableGraph(graph, services.neo4jUri);
    const machine = machineInfo(services);
    const main = workload(events, seed);
    const rows = flags.ceiling === 'no' ? [] : ceilingRows(config, main);
    benchLog(
      `${fmt(main.events)} events in ${main.bodies.length} requests of up to ${batchSize}; ${fmt(main.expected.identifiers)} identifiers, ` +
        `${fmt(main.expected.mentions)} mentions, ${fmt(main.expected.evidence)} pairs; ${fmt(main.bodies.reduce((n, b) => n + b.length, 0) / main.bodies.length / 1024, 1)} KiB per request`,
    );

    if (warmupRuns > 0) {
      const warm = workload(events, seed + 1);
      const warmRows = flags.ceiling === 'no' ? [] : ceilingRows(config, warm);
      for (let run = 1; run <= warmupRuns; run++) {
        const label = `warm-up ${run}/${warmupRuns}`;
        if (layouts[0])
          await ingestRun(
            services,
            graph,
            layouts[0],
            warm,
            `${label} ${layouts[0].label} (not counted)`,
          );
        if (flags.ceiling !== 'no')
          await ceilingRun(services, graph, warm, warmRows, true, `${label} ceiling (not counted)`);
      }
    }

    const results: Record<string, RunResult[]> = {};
    for (const layout of layouts) {
      const list: RunResult[] = (results[layout.label] = []);
      for (let run = 1; run <= runs; run++)
        list.push(await ingestRun(services, graph, layout, main, `${layout.label} run ${run}`));
    }
    if (flags.ceiling !== 'no') {
      for (const withPairs of [false, true]) {
        const label = withPairs ? 'ceiling: identifiers+links' : 'ceiling: identifiers';
        const list: RunResult[] = (results[label] = []);
        for (let run = 1; run <= runs; run++)
          list.push(
            await ceilingRun(services, graph, main, rows, withPairs, `${label} run ${run}`),
          );
      }
    }
    await clearDisposableGraph(graph);

    const medians = Object.fromEntries(
      Object.entries(results).map(([k, v]) => [k, median(v.map((r) => r.eventsPerSecond))]),
    );
    const ratio = (label: string, ceiling: string) =>
      medians[ceiling] && !label.startsWith('ceiling')
        ? `${fmt((100 * medians[label]!) / medians[ceiling])} %`
        : '';
    const medianCpu = (list: RunResult[]) => {
      const keys = Object.keys(list[0]?.cpu ?? {});
      return Object.fromEntries(keys.map((k) => [k, median(list.map((r) => r.cpu[k] ?? 0))]));
    };
    const rowsOut = Object.entries(results).map(([label, list]) => [
      label,
      fmt(medians[label]!),
      list.map((r) => fmt(r.eventsPerSecond)).join(' / '),
      ratio(label, 'ceiling: identifiers'),
      ratio(label, 'ceiling: identifiers+links'),
      describeCpu(medianCpu(list), main.events),
      list.map((r) => r.retries).join(' / '),
      list.map((r) => `${Math.round(r.idleBefore * 100)} %`).join(' / '),
      list.map((r) => describeHost(r.hostBefore)).join(' / '),
      list.map((r) => describeSteal(r.steal)).join(' / '),
    ]);
    const command = `npm run bench -- ingest ${process.argv.slice(2).join(' ')}`.trim();
    process.stdout.write(
      [
        '',
        `Ingest: ${fmt(main.events)} events (seed ${seed}, ${flags.order} order) in requests of ${batchSize}, ${runs} runs each after ${warmupRuns} warm-up runs`,
        '',
        `command: ${command}`,
        describeMachine(machine),
        services.neo4jMemory
          ? `neo4j memory: heap ${services.neo4jMemory.heap}, page cache ${services.neo4jMemory.pageCache}`
          : '',
        '',
        table(
          [
            'layout',
            'median events/s',
            'runs (events/s)',
            'of ceiling (ids)',
            'of ceiling (ids+links)',
            'CPU ms per 1000 events (median)',
            'tx retries',
            'idle before',
            'host before',
            'steal during',
          ],
          rowsOut,
        ),
        '',
      ].join('\n'),
    );
    const file = saveResults('ingest', {
      command,
      machine,
      events: main.events,
      batchSize,
      seed,
      order: flags.order,
      runs,
      warmupRuns,
      ceilingConcurrency,
      neo4jMemory: services.neo4jMemory,
      expected: main.expected,
      results,
      medians,
    });
    benchLog(`results saved to ${file}`);
  } finally {
    await graph.close();
    await stop();
  }
}

// Services are stopped by now (main's finally); exit even if a client left a handle open.
main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(
      `bench ingest failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    for (const child of children) child.kill('SIGKILL');
    process.exit(1);
  },
);
