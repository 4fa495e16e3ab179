import { randomUUID } from 'node:crypto';
import type { Graph } from '../../src/graph/graph-client.js';
import { type CpuSnapshot, cpuSnapshot } from '../host/process-cpu.js';
import { benchEnv } from '../services/bench-env.js';
import type { BenchServices } from '../services/bench-services.js';
import type { ProcessGroup } from '../services/process-group.js';
import {
  type ServiceProcess,
  startServiceProcess,
  stopServiceProcess,
} from '../services/service-process.js';
import type { FebrlSources } from '../workloads/febrl-population.js';
import type { AccuracySettings } from './accuracy-settings.js';

/** What the accuracy benchmark's runs share: the services, the graph, its settings. */
export interface AccuracyDeps {
  services: BenchServices;
  graph: Graph;
  processes: ProcessGroup;
  /** Where the runs write their model files. */
  modelDir: string;
  settings: AccuracySettings;
  /** The records synthetic workloads are drawn from, read from the data directory once. */
  febrlSources: () => FebrlSources;
}

/** The queue prefix of every queue this run creates, so that its keys can be deleted at the end. */
export const QUEUE_PREFIX = `idgraph-bench-accuracy-${process.pid}`;

/** The service under test: an API process and worker processes on one queue, with one model file. */
export interface Service {
  api: ServiceProcess;
  workers: ServiceProcess[];
  apiUrl: string;
  startSeconds: number;
}

/**
 * Starts the service for `modelFile` on a fresh queue: one API process and --workers worker
 * processes, with the thresholds and candidate cap of the settings (identity evidence as the
 * service's default). Only the speed runs' processes
 * (`label` speed) write CPU profiles.
 */
export async function startService(
  deps: Pick<AccuracyDeps, 'services' | 'processes'> & {
    settings: Pick<
      AccuracySettings,
      | 'threshold'
      | 'reviewThreshold'
      | 'maxCandidates'
      | 'workerConcurrency'
      | 'workerProcesses'
      | 'cpuProfDir'
    >;
  },
  modelFile: string,
  label: string,
): Promise<Service> {
  const { settings } = deps;
  const env = benchEnv(deps.services, {
    MATCH_MODEL_FILE: modelFile,
    MATCH_AUTO_THRESHOLD: String(settings.threshold),
    MATCH_REVIEW_THRESHOLD: String(settings.reviewThreshold),
    MATCH_MAX_CANDIDATES: String(settings.maxCandidates),
    QUEUE_PREFIX,
    INGEST_QUEUE: `accuracy-${label}-${randomUUID()}`,
    WORKER_CONCURRENCY: String(settings.workerConcurrency),
    RATE_LIMIT_MAX: '0',
  });
  const nodeFlags =
    settings.cpuProfDir !== undefined && label === 'speed'
      ? ['--cpu-prof', '--cpu-prof-dir', settings.cpuProfDir]
      : [];
  const started = performance.now();
  const [api, ...workers] = await Promise.all([
    startServiceProcess(deps.processes, 'api', `${label} api`, env, { nodeFlags }),
    ...Array.from({ length: settings.workerProcesses }, (_, i) =>
      startServiceProcess(deps.processes, 'worker', `${label} worker ${i + 1}`, env, {
        nodeFlags,
      }),
    ),
  ]);
  return {
    api,
    workers,
    apiUrl: api.url!,
    startSeconds: (performance.now() - started) / 1000,
  };
}

export async function stopService(service: Service): Promise<void> {
  await Promise.all(service.workers.map(stopServiceProcess));
  await stopServiceProcess(service.api);
}

/** CPU seconds so far of this process, Neo4j, Redis, the service's API and its workers. */
export const serviceCpu = (services: BenchServices, service: Service): CpuSnapshot =>
  cpuSnapshot({
    neo4j: [services.pids.neo4j],
    redis: [services.pids.redis],
    api: [service.api.child.pid],
    workers: service.workers.map((w) => w.child.pid),
  });

/** Problems the service's processes logged (warnings and errors). */
export const problemsLogged = (service: Service) =>
  service.api.problems.length + service.workers.reduce((n, w) => n + w.problems.length, 0);
