import { createHash } from 'node:crypto';
import type { Graph } from '../../src/graph/graph-client.js';
import { canonicalPartition } from '../../test/support/identity-generator.js';
import { benchLog } from '../harness/bench-log.js';
import { cpuSnapshot, type CpuSnapshot } from '../host/process-cpu.js';
import { type RunReadings, startReadings } from '../host/run-readings.js';
import type { BenchServices } from '../services/bench-services.js';
import { clearDisposableGraph } from '../services/disposable-graph.js';
import type { ProcessGroup } from '../services/process-group.js';
import { postEvents, resolvePersons, waitForJobs } from '../services/service-api.js';
import { type ServiceFleet, startFleet } from '../services/service-fleet.js';
import type { LogEntry } from '../services/service-process.js';
import { splitKey } from '../workloads/tagged-stream.js';
import { type PhaseStats, startPacer } from './lookup-pacer.js';
import type { ScaleSettings } from './scale-settings.js';

/** What one run needs: the stream to measure, the lookup population, and what to check after. */
export interface ScaleWorkload {
  /** The measured stream's request bodies and events. */
  bodies: string[];
  events: number;
  /** Its true partition: identifier key -> person. */
  truth: Map<string, number>;
  /** The lookup population's request bodies (ingested untimed before the run) and events. */
  baseBodies: string[];
  baseEvents: number;
  /** GET /v1/resolve query paths of the population's identifiers, in a seeded random order. */
  lookupPaths: string[];
}

export interface ScaleRunResult extends RunReadings {
  workers: number;
  concurrency: number;
  seconds: number;
  eventsPerSecond: number;
  /** Transaction functions run again (deadlocks between concurrent batches, stale reads). */
  retries: number;
  /** CPU seconds per process group during the ingest. */
  cpu: CpuSnapshot;
  steal: number | undefined;
  /** Lookups in each phase: idle before, under ingest, idle after, and both idle phases pooled. */
  lookups: { before: PhaseStats; ingest: PhaseStats; after: PhaseStats; idle: PhaseStats };
  /** The measured stream's partition as the API resolves it: a digest, and whether it is the truth. */
  partition: { persons: number; digest: string; equalsTruth: boolean };
}

export interface ScaleDeps {
  services: BenchServices;
  graph: Graph;
  processes: ProcessGroup;
  settings: ScaleSettings;
}

/** A canonical partition's digest: equal digests, equal partitions. */
export const digestOf = (groups: readonly string[]) =>
  createHash('sha256').update(groups.join('\n')).digest('hex').slice(0, 16);

export function truthPartition(truth: Map<string, number>): string[] {
  return canonicalPartition(new Map([...truth].map(([key, p]) => [key, String(p)])));
}

/**
 * One run with `workers` worker processes, on a cleared graph and a fresh queue: the lookup
 * population ingested untimed, then lookups at the fixed rate throughout, idle for
 * --idle-seconds, while the measured stream is ingested (timed from the first POST until its last
 * job completed), idle again. Then checked: every event applied once, the invariants at zero, and
 * the measured stream's partition read back through the API.
 */
export async function scaleRun(
  deps: ScaleDeps,
  workers: number,
  load: ScaleWorkload,
  truthDigest: string,
): Promise<ScaleRunResult> {
  const { services, graph, processes, settings } = deps;
  const label = `${workers} worker process${workers === 1 ? '' : 'es'} x ${settings.concurrency}`;
  await clearDisposableGraph(graph);
  let retries = 0;
  const onLogEntry = (entry: LogEntry) => {
    if (entry.msg === 'batch transaction retried') retries += (entry.attempts ?? 1) - 1;
  };
  const fleet = await startFleet(processes, services, {
    workers,
    concurrency: settings.concurrency,
    logLevel: 'info',
    onLogEntry,
  });
  try {
    await ingest(fleet, load.baseBodies);
    benchLog(`${label}: lookup population ingested (untimed)`);
    const pacer = startPacer(processes, {
      url: fleet.api.url,
      paths: load.lookupPaths,
      rate: settings.rate,
    });
    const seconds = (s: number) => new Promise((r) => setTimeout(r, s * 1000));
    await seconds(3); // connections opened, first answers out of the way
    const cpu = () =>
      cpuSnapshot({
        neo4j: [services.pids.neo4j],
        redis: [services.pids.redis],
        api: [fleet.api.child.pid],
        workers: fleet.workers.map((w) => w.child.pid),
        lookups: [pacer.pid],
      });
    pacer.phase('before');
    await seconds(settings.idleSeconds);
    // The readings probe the host's speed for a moment: lookups meanwhile count in no phase.
    pacer.phase('readings');
    const readings = await startReadings(cpu, { minIdle: settings.waitIdle });
    const retriesBefore = retries;
    pacer.phase('ingest');
    const started = performance.now();
    const { doneAt } = await ingest(fleet, load.bodies);
    pacer.phase('after');
    const ingestSeconds = (doneAt - started) / 1000;
    const { cpu: used, steal } = readings.end();
    await seconds(settings.idleSeconds);
    const phases = await pacer.stop({ idle: ['before', 'after'] });
    const { idleBefore, hostBefore, loadBefore } = readings;
    const result: ScaleRunResult = {
      workers,
      concurrency: settings.concurrency,
      seconds: ingestSeconds,
      eventsPerSecond: load.events / ingestSeconds,
      retries: retries - retriesBefore,
      cpu: used,
      steal,
      idleBefore,
      hostBefore,
      loadBefore,
      lookups: {
        before: phases.before!,
        ingest: phases.ingest!,
        after: phases.after!,
        idle: phases.idle!,
      },
      partition: await verify(graph, fleet, load, truthDigest),
    };
    const { idle, ingest: under } = result.lookups;
    benchLog(
      `${label}: ${Math.round(result.eventsPerSecond)} events/s (${ingestSeconds.toFixed(1)} s, ${result.retries} retries); ` +
        `lookups p50/p99 idle ${idle.p50.toFixed(1)}/${idle.p99.toFixed(1)} ms, under ingest ${under.p50.toFixed(1)}/${under.p99.toFixed(1)} ms; ` +
        `partition ${result.partition.equalsTruth ? 'equals the truth' : 'DIFFERS from the truth'} (${result.partition.digest})`,
    );
    return result;
  } finally {
    await fleet.stop();
  }
}

/** POSTs the bodies one after another, then waits until every job completed. */
async function ingest(fleet: ServiceFleet, bodies: readonly string[]) {
  const jobIds: string[] = [];
  for (const body of bodies) jobIds.push(await postEvents(fleet.api.url, body));
  return waitForJobs(fleet.api.url, jobIds, { pollMs: 50 });
}

/** Every event applied once, no invariant broken; the measured stream's partition, read back. */
async function verify(
  graph: Graph,
  fleet: ServiceFleet,
  load: ScaleWorkload,
  truthDigest: string,
): Promise<ScaleRunResult['partition']> {
  const [totals] = await graph.query<{ events: number }>('read/graph-totals');
  const [violations] = await graph.query<Record<string, number>>('read/graph-invariants');
  const problems = Object.entries(violations ?? {})
    .filter(([, n]) => n !== 0)
    .map(([k, n]) => `${k}: ${n}`);
  const expected = load.events + load.baseEvents;
  if (totals?.events !== expected)
    problems.push(`events: ${totals?.events} (expected ${expected})`);
  if (problems.length > 0)
    throw new Error(`the graph is wrong after the run:\n  ${problems.join('\n  ')}`);
  const keys = [...load.truth.keys()];
  const persons = await resolvePersons(fleet.api.url, keys.map(splitKey));
  const personOf = new Map<string, string>();
  keys.forEach((key, i) => {
    const person = persons[i];
    if (!person) throw new Error(`an identifier of the stream does not resolve after the run`);
    personOf.set(key, person);
  });
  const groups = canonicalPartition(personOf);
  const digest = digestOf(groups);
  return { persons: groups.length, digest, equalsTruth: digest === truthDigest };
}
