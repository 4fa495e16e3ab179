import { randomUUID } from 'node:crypto';
import { benchEnv } from './bench-env.js';
import type { BenchServices } from './bench-services.js';
import { deleteQueueKeys } from './bench-services.js';
import type { ProcessGroup } from './process-group.js';
import {
  type LogEntry,
  type ServiceProcess,
  startServiceProcess,
  stopServiceProcess,
} from './service-process.js';

/**
 * One API process and `workers` worker processes (`src/main.ts --api` / `--worker`) on a fresh
 * ingest queue of their own: the deployment shape of the scale and soak benchmarks, where every
 * part of the service is a process of its own as it would be behind a load balancer.
 */
export interface ServiceFleet {
  api: ServiceProcess & { url: string };
  workers: ServiceProcess[];
  /** The ingest queue's name (fresh per fleet: job ids of an earlier run are not deduplicated against). */
  queueName: string;
  /** Stops the workers (in-flight jobs finish), then the API, then deletes the queue's keys. */
  stop(): Promise<void>;
}

export interface FleetOptions {
  workers: number;
  concurrency: number;
  /** Every process's LOG_LEVEL (info lets `onLogEntry` count transaction retries). */
  logLevel: string;
  onLogEntry?: (entry: LogEntry) => void;
  /** More environment for every process. */
  env?: Record<string, string>;
}

export async function startFleet(
  processes: ProcessGroup,
  services: BenchServices,
  options: FleetOptions,
): Promise<ServiceFleet> {
  const queueName = `bench-${randomUUID()}`;
  const env = benchEnv(services, {
    INGEST_QUEUE: queueName,
    WORKER_CONCURRENCY: String(options.concurrency),
    LOG_LEVEL: options.logLevel,
    RATE_LIMIT_MAX: '0',
    HOST: '127.0.0.1',
    ...options.env,
  });
  const started: ServiceProcess[] = [];
  const logOptions = options.onLogEntry ? { onLogEntry: options.onLogEntry } : {};
  const stopStarted = () => Promise.all(started.map(stopServiceProcess));
  try {
    const api = await startServiceProcess(processes, 'api', 'api', env, logOptions);
    started.push(api);
    const workers = await Promise.all(
      Array.from({ length: options.workers }, (_, i) =>
        startServiceProcess(processes, 'worker', `worker ${i + 1}`, env, logOptions),
      ),
    );
    started.push(...workers);
    const prefix = env.QUEUE_PREFIX ?? 'idgraph';
    return {
      api: Object.assign(api, { url: api.url! }),
      workers,
      queueName,
      async stop() {
        await Promise.all(workers.map(stopServiceProcess));
        await stopServiceProcess(api);
        // `*name*` also finds the keys of a hash-tagged queue (`{name}`) on Redis Cluster.
        await deleteQueueKeys(services.redisUrl, `${prefix}:*${queueName}*`);
      },
    };
  } catch (error) {
    await stopStarted();
    throw error;
  }
}
