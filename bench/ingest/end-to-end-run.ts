import { randomUUID } from 'node:crypto';
import { pino } from 'pino';
import { loadConfig } from '../../src/config.js';
import type { Graph } from '../../src/graph/graph-client.js';
import { loggerOptions } from '../../src/logger.js';
import { createRuntime } from '../../src/runtime.js';
import { benchLog } from '../harness/bench-log.js';
import { cpuSnapshot } from '../host/process-cpu.js';
import { startReadings } from '../host/run-readings.js';
import { benchAuthHeader, benchEnv } from '../services/bench-env.js';
import type { BenchServices } from '../services/bench-services.js';
import { clearDisposableGraph } from '../services/disposable-graph.js';
import type { ProcessGroup } from '../services/process-group.js';
import {
  type LogEntry,
  type ServiceProcess,
  startServiceProcess,
  stopServiceProcess,
} from '../services/service-process.js';
import type { IngestWorkload } from '../workloads/ingest-stream.js';
import { describeRun, type RunResult, runResult } from './ingest-run-result.js';
import type { IngestSettings, Layout } from './ingest-settings.js';

/**
 * Transaction retries (deadlocks between concurrent batches, stale reads), counted from the
 * resolver's 'batch transaction retried' log lines at info level, in this process and in the
 * worker processes; warnings and errors of this process pass through to stderr.
 */
export function createRetryCounter() {
  const counter = {
    count: 0,
    onLogEntry: (entry: LogEntry): void => {
      if (entry.msg === 'batch transaction retried') counter.count += (entry.attempts ?? 1) - 1;
    },
    /** The logger of an in-process runtime. */
    logger: pino(loggerOptions('info'), {
      write: (chunk: string) => {
        for (const line of chunk.split('\n')) {
          if (!line.startsWith('{')) continue;
          try {
            const entry = JSON.parse(line) as LogEntry;
            counter.onLogEntry(entry);
            if (entry.msg !== 'batch transaction retried' && (entry.level ?? 0) >= 40)
              process.stderr.write(`${line}\n`);
          } catch {
            // not a log line
          }
        }
      },
    }),
  };
  return counter;
}

export type RetryCounter = ReturnType<typeof createRetryCounter>;

export interface EndToEndDeps {
  services: BenchServices;
  graph: Graph;
  processes: ProcessGroup;
  retries: RetryCounter;
  settings: Pick<IngestSettings, 'waitIdle' | 'cpuProfDir'>;
}

/** Every event applied once, every identifier, mention and unit of evidence present, the invariants at zero. */
async function verify(graph: Graph, load: IngestWorkload, label: string): Promise<void> {
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

/**
 * One end-to-end run on a cleared graph and a fresh queue: the API in this process (with a worker
 * too for `inproc`), worker processes for `procs`, already up when the clock starts. Timed from the
 * first POST until the queue reports every job completed, then verified.
 */
export async function endToEndRun(
  deps: EndToEndDeps,
  layout: Layout,
  load: IngestWorkload,
  label: string,
): Promise<RunResult> {
  const { services, graph, retries } = deps;
  await clearDisposableGraph(graph);
  const env = benchEnv(services, {
    INGEST_QUEUE: `bench-${randomUUID()}`,
    WORKER_CONCURRENCY: String(layout.concurrency),
    LOG_LEVEL: 'info',
  });
  const runtime = await createRuntime(loadConfig(env), {
    role: layout.kind === 'inproc' ? 'all' : 'api',
    logger: retries.logger,
  });
  const workers: ServiceProcess[] = [];
  try {
    if (layout.kind === 'procs') {
      const nodeFlags = deps.settings.cpuProfDir
        ? ['--cpu-prof', '--cpu-prof-dir', deps.settings.cpuProfDir]
        : [];
      const started = await Promise.all(
        Array.from({ length: layout.processes }, (_, i) =>
          startServiceProcess(deps.processes, 'worker', `worker ${i + 1}`, env, {
            nodeFlags,
            onLogEntry: retries.onLogEntry,
          }),
        ),
      );
      workers.push(...started);
    }
    const baseUrl = await runtime.app!.listen({ host: '127.0.0.1', port: 0 });
    const cpu = () =>
      cpuSnapshot({
        neo4j: [services.pids.neo4j],
        redis: [services.pids.redis],
        workers: workers.map((w) => w.child.pid),
      });
    const readings = await startReadings(cpu, { minIdle: deps.settings.waitIdle });
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
    const result = runResult(readings, seconds, load.events, retries.count - retriesBefore);
    benchLog(
      `${label}: ${describeRun(result, load.events, `POSTs done after ${((posted - started) / 1000).toFixed(2)} s; `)}`,
    );
    await verify(graph, load, label);
    await runtime.ingest.queue.obliterate({ force: true });
    return result;
  } finally {
    await Promise.all(workers.map(stopServiceProcess));
    await runtime.close();
  }
}
