import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import type { z } from 'zod';
import {
  type PrivacyRequestView,
  privacyRequestAcceptedSchema,
  privacyRequestViewSchema,
} from '../../src/privacy/privacy-contract.js';
import type { IdentityEvent } from '../../src/events/event-schema.js';
import { INGEST_QUEUE_STREAMS } from '../../src/ingest/ingest-contract.js';
import { benchAuthHeader, benchEnv } from '../services/bench-env.js';
import type { BenchGraph } from '../services/bench-cypher.js';
import type { BenchServices } from '../services/bench-services.js';
import type { ProcessGroup } from '../services/process-group.js';
import { postEvents, resolvePersons, waitForJobs } from '../services/service-api.js';
import {
  type ServiceProcess,
  startServiceProcess,
  stopServiceProcess,
} from '../services/service-process.js';

/** The queue prefix of every queue this run creates, so that its keys can be deleted at the end. */
export const PRIVACY_BENCH_PREFIX = `idgraph-bench-privacy-${process.pid}`;
const INGEST_QUEUE = 'ingest';

/** The service under test: one API process and one worker process (ingest, privacy, feed relay). */
export interface PrivacyService {
  api: ServiceProcess;
  worker: ServiceProcess;
  apiUrl: string;
  /** The ingest queue, to drop the jobs a build kept before the next build. */
  ingestQueue: Queue;
  stop(): Promise<void>;
}

export async function startPrivacyService(deps: {
  services: BenchServices;
  processes: ProcessGroup;
}): Promise<PrivacyService> {
  const env = benchEnv(deps.services, {
    QUEUE_PREFIX: PRIVACY_BENCH_PREFIX,
    INGEST_QUEUE,
    RATE_LIMIT_MAX: '0',
  });
  const [api, worker] = await Promise.all([
    startServiceProcess(deps.processes, 'api', 'privacy api', env),
    startServiceProcess(deps.processes, 'worker', 'privacy worker', env),
  ]);
  const connection = new Redis(deps.services.redisUrl, { maxRetriesPerRequest: null });
  // As every Queue of the ingest queue: each writes the stream's length into the queue's settings.
  const ingestQueue = new Queue(INGEST_QUEUE, {
    connection,
    prefix: PRIVACY_BENCH_PREFIX,
    streams: INGEST_QUEUE_STREAMS,
  });
  return {
    api,
    worker,
    apiUrl: api.url!,
    ingestQueue,
    async stop() {
      await ingestQueue.close();
      connection.disconnect();
      await stopServiceProcess(worker);
      await stopServiceProcess(api);
    },
  };
}

/**
 * Ingests `events` (`batchSize` per POST), waits for every job and for the relay to number every
 * feed batch; returns the person id of the first event's first identifier. The ingest jobs earlier
 * builds left in Redis are dropped first, so that every erase request scans the same jobs: those
 * of its own build (completed, so holding no events to scrub).
 */
export async function build(
  service: PrivacyService,
  graph: BenchGraph,
  events: readonly IdentityEvent[],
  batchSize: number,
): Promise<string> {
  await service.ingestQueue.clean(0, 0, 'completed');
  const jobIds: string[] = [];
  for (let i = 0; i < events.length; i += batchSize)
    jobIds.push(
      await postEvents(service.apiUrl, JSON.stringify({ events: events.slice(i, i + batchSize) })),
    );
  const { outcomes } = await waitForJobs(service.apiUrl, jobIds);
  const applied = outcomes.reduce((n, o) => n + o.counts.applied, 0);
  if (applied !== events.length)
    throw new Error(`build: ${applied} of ${events.length} events applied`);
  await feedSettled(graph);
  const [personId] = await resolvePersons(service.apiUrl, [events[0]!.identifiers[0]!]);
  if (!personId) throw new Error('build: the person was not found');
  return personId;
}

/** Waits until the relay has numbered every change batch; returns the feed's batch and entry counts. */
export async function feedSettled(
  graph: BenchGraph,
  timeoutMs = 120_000,
): Promise<{ batches: number; entries: number }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [row] = await graph.query<{ unrelayed: number; batches: number; entries: number }>(
      'bench/read/privacy-feed-settled',
    );
    if (row && row.unrelayed === 0) return row;
    if (Date.now() > deadline) throw new Error('the change feed relay did not catch up');
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * POSTs a privacy request and polls it every `pollMs` until it is completed; returns the view and
 * the time from just before the POST to the poll that saw it completed. A failed request fails
 * the run.
 */
export async function runRequest(
  apiUrl: string,
  body: Record<string, unknown>,
  pollMs = 20,
): Promise<{ view: PrivacyRequestView; seconds: number }> {
  const started = performance.now();
  const response = await fetch(`${apiUrl}/v1/privacy/requests`, {
    method: 'POST',
    headers: { ...benchAuthHeader, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  if (response.status !== 202)
    throw new Error(`POST /v1/privacy/requests answered ${response.status}: ${text}`);
  const { id } = privacyRequestAcceptedSchema.parse(JSON.parse(text));
  const deadline = Date.now() + 3_600_000;
  for (;;) {
    const view = await getJson(`${apiUrl}/v1/privacy/requests/${id}`, privacyRequestViewSchema);
    if (view.status === 'completed') return { view, seconds: (performance.now() - started) / 1000 };
    if (view.status === 'failed')
      throw new Error(`privacy request ${id} failed: ${view.failure ?? 'no reason given'}`);
    if (Date.now() > deadline) throw new Error(`privacy request ${id} still ${view.status}`);
    await new Promise((r) => setTimeout(r, pollMs));
  }
}

export async function getJson<T>(url: string, schema: z.ZodType<T>): Promise<T> {
  const response = await fetch(url, { headers: benchAuthHeader });
  const text = await response.text();
  if (!response.ok)
    throw new Error(`GET ${new URL(url).pathname} answered ${response.status}: ${text}`);
  return schema.parse(JSON.parse(text));
}
