import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { IdentityEvent } from '../../src/events/event-schema.js';
import { prng } from '../support/identity-generator.js';
import { type JobState, waitForJobs, waitUntilReady } from './fault-graph.js';
import {
  faultKeys,
  postStream,
  type RequestRecord,
  startLookups,
  timedRequest,
} from './fault-load.js';
import { type IdgraphProcess, nonJsonLines, startIdgraph } from './fault-processes.js';
import { type FaultWindow, SETTLE_MS } from './fault-report.js';
import type { Dependency, FaultServices } from './fault-services.js';

/**
 * One run of idgraph under the suite's control: an API process and worker processes on the suite's
 * Neo4j and Redis, with queues of their own; lookups at a steady rate while the stream is posted;
 * and the steps of one fault (post a portion, inject, wait for recovery, wait for the portion's jobs).
 */

/** Settings every process of a run gets. The short lock lets a killed worker's job be taken over soon. */
function runEnv(services: FaultServices, tag: string, apiPort: number, dataDir: string) {
  return {
    NODE_ENV: 'test',
    LOG_LEVEL: 'info',
    HOST: '127.0.0.1',
    PORT: String(apiPort),
    DATA_DIR: dataDir,
    NEO4J_URI: services.neo4j.url,
    REDIS_URL: services.redis.url,
    INGEST_QUEUE: `faults-${tag}`,
    PRIVACY_QUEUE: `faults-privacy-${tag}`,
    IDGRAPH_API_KEYS: JSON.stringify(faultKeys),
    RATE_LIMIT_MAX: '0',
    WORKER_CONCURRENCY: '2',
    WORKER_LOCK_DURATION_MS: '5000',
  };
}

/** Settings of the caller's environment that would change what the processes do or clash. */
const INHERITED_SETTINGS_DROPPED = [
  'METRICS_PORT',
  'NEO4J_USER',
  'NEO4J_PASSWORD',
  'NEO4J_DATABASE',
  'IDGRAPH_API_KEYS_FILE',
  'IDGRAPH_ROLE',
  'MATCH_MODEL_FILE',
  'WEBHOOKS',
];

/** Events per POST, in the reference run and under faults alike. */
export const BATCH_SIZE = 50;

export interface RunOptions {
  services: FaultServices;
  tag: string;
  apiPort: number;
  dataDir: string;
  workers: number;
}

export interface IdgraphRun {
  api: IdgraphProcess;
  workers: IdgraphProcess[];
  /** Every process this run started, replaced ones included (for their log lines). */
  all: IdgraphProcess[];
  startWorker(): Promise<IdgraphProcess>;
  restartExited(): Promise<string[]>;
  stop(): Promise<void>;
}

export async function startRun(options: RunOptions): Promise<IdgraphRun> {
  const env = runEnv(options.services, options.tag, options.apiPort, options.dataDir);
  const all: IdgraphProcess[] = [];
  let serial = 0;
  const start = async (role: 'api' | 'worker') => {
    serial += 1;
    const name = `${options.tag}-${role}-${serial}`;
    const proc = await startIdgraph({
      role,
      name,
      env,
      unset: INHERITED_SETTINGS_DROPPED,
      logFile: join(options.dataDir, `${name}.log`),
    });
    all.push(proc);
    return proc;
  };
  const [api, ...workers] = await Promise.all([
    start('api'),
    ...Array.from({ length: options.workers }, () => start('worker')),
  ]);
  const run: IdgraphRun = {
    api: api,
    workers,
    all,
    startWorker: () => start('worker'),
    /** A process that died is started again (the supervisor's job); returns the names restarted. */
    async restartExited() {
      const restarted: string[] = [];
      if (run.api.exit) {
        restarted.push(run.api.name);
        run.api = await start('api');
      }
      for (const [i, worker] of run.workers.entries()) {
        if (!worker.exit) continue;
        restarted.push(worker.name);
        run.workers[i] = await start('worker');
      }
      return restarted;
    },
    async stop() {
      await Promise.all([run.api, ...run.workers].map((p) => p.stop('SIGTERM')));
    },
  };
  return run;
}

/** A run's clients: steady lookups over what has been posted so far, and the posted jobs. */
export function startClients(run: IdgraphRun, options: { seed: number }) {
  const random = prng(options.seed);
  const posted: IdentityEvent[] = [];
  const jobIds: string[] = [];
  const records: RequestRecord[] = [];
  const pick = <T>(items: readonly T[]) =>
    items.length === 0 ? undefined : items[Math.floor(random() * items.length)];
  const lookups = startLookups({
    baseUrl: run.api.baseUrl,
    perSecond: 10,
    readyzEveryMs: 500,
    records,
    source: {
      identifier: () => pick(pick(posted)?.identifiers ?? []),
      jobId: () => pick(jobIds),
    },
  });
  return { posted, jobIds, records, lookups };
}

export type Clients = ReturnType<typeof startClients>;

export interface FaultOutcome {
  window: FaultWindow;
  jobs: JobState[];
  /** Names of processes that exited during the fault and were started again by the harness. */
  restarted: string[];
  nonJson: string[];
}

/**
 * One fault under load: posts `events` at a steady pace; after `leadMs`, `inject` takes the
 * service away and brings it back (resolving with the time it answers again); then waits until
 * the API is ready and every job of the portion has finished.
 */
export async function underLoad(options: {
  run: IdgraphRun;
  clients: Clients;
  label: string;
  dependency: Dependency | undefined;
  events: readonly IdentityEvent[];
  leadMs: number;
  inject: () => Promise<number>;
}): Promise<FaultOutcome> {
  const { run, clients } = options;
  const posting = postStream({
    baseUrl: run.api.baseUrl,
    events: options.events,
    batchSize: BATCH_SIZE,
    everyMs: 800,
    records: clients.records,
    onPosted: (jobId, batch) => {
      clients.jobIds.push(jobId);
      clients.posted.push(...batch);
    },
  });
  // Settled here so a failure while the fault is on is reported after the service is back.
  const posted = posting.then(
    (ids) => ({ ids }),
    (error: unknown) => ({ error }),
  );
  await sleep(options.leadMs);
  const injectedAt = Date.now();
  let backAt: number;
  try {
    backAt = await options.inject();
  } catch (error) {
    // The portion is still posted (and its jobs left to the next fault): report the injection.
    await posted;
    throw error;
  }
  let recoveredAt = await waitUntilReady(run.api.baseUrl, 90_000);
  const restarted = await run.restartExited();
  const outcome = await posted;
  if ('error' in outcome) throw outcome.error;
  const jobs = await waitForJobs(run.api.baseUrl, outcome.ids, 240_000);
  // Without a missing service, recovery is the backlog applied by the replacement worker.
  if (!options.dependency) recoveredAt = Date.now();
  const window: FaultWindow = {
    label: options.label,
    dependency: options.dependency,
    injectedAt,
    backAt,
    recoveredAt,
  };
  const nonJson = run.all.flatMap((p) =>
    nonJsonLines(p.lines.filter((l) => l.at >= injectedAt && l.at < recoveredAt + SETTLE_MS)).map(
      (l) => `${p.name}: ${l.text.slice(0, 200)}`,
    ),
  );
  return { window, jobs, restarted, nonJson };
}

/** Waits up to `timeoutMs` for the job to be taken by a worker, so a kill lands mid-batch. */
export async function waitForActiveJob(
  baseUrl: string,
  jobIds: readonly string[],
  timeoutMs: number,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const jobId = jobIds.at(-1);
    if (jobId) {
      const r = await timedRequest(baseUrl, 'job', 'GET', `/v1/jobs/${jobId}`);
      if ((r.body as { state?: unknown } | null)?.state === 'active') return true;
    }
    await sleep(50);
  }
  return false;
}
