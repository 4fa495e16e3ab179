import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, expect, inject } from 'vitest';
import type { z } from 'zod';
import { problemSchema } from '../../src/api/problem.js';
import { jobResponseSchema, resolveResponseSchema } from '../../src/api/schemas.js';
import { type Config, loadConfig } from '../../src/config.js';
import type { Graph } from '../../src/graph/graph-client.js';
import { createLogger } from '../../src/logger.js';
import type { IdentityEvent } from '../../src/events/event-schema.js';
import { createRuntime, type Role, type Runtime } from '../../src/runtime.js';

/**
 * Integration harness: the real service (API + worker, or either) in-process against the real Neo4j
 * and Redis from the global setup, called over real HTTP. Each service gets its own queue names, so
 * tests never see each other's jobs.
 */

/** Keys the tests use: one with every scope, and narrow ones for the 403 cases. */
export const testKeys = [
  {
    name: 'test-admin',
    key: 'test-admin-key-0123456789',
    scopes: ['events:write', 'persons:read', 'audit:read', 'audit:write', 'privacy:write'],
  },
  { name: 'test-reader', key: 'test-reader-key-0123456789', scopes: ['persons:read'] },
  { name: 'test-writer', key: 'test-writer-key-0123456789', scopes: ['events:write'] },
];
export const ADMIN_KEY = testKeys[0]!.key;

export function testEnv(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    NEO4J_URI: inject('neo4jUri'),
    REDIS_URL: inject('redisUrl'),
    ...(inject('neo4jPassword')
      ? { NEO4J_USER: inject('neo4jUser'), NEO4J_PASSWORD: inject('neo4jPassword') }
      : {}),
    INGEST_QUEUE: `test-${randomUUID()}`,
    PRIVACY_QUEUE: `test-privacy-${randomUUID()}`,
    IDGRAPH_API_KEYS: JSON.stringify(testKeys),
    WORKER_CONCURRENCY: '2',
    WORKER_LOCK_DURATION_MS: '5000',
    ...overrides,
  };
}

export interface TestService {
  config: Config;
  runtime: Runtime;
  baseUrl: string;
  graph: Graph;
  close(): Promise<void>;
}

export async function startService(
  overrides: Record<string, string> = {},
  role: Role = 'all',
): Promise<TestService> {
  const config = loadConfig(testEnv(overrides));
  const runtime = await createRuntime(config, { role, logger: createLogger(config.LOG_LEVEL) });
  let baseUrl = '';
  if (runtime.app) baseUrl = await runtime.app.listen({ host: '127.0.0.1', port: 0 });
  return { config, runtime, baseUrl, graph: runtime.graph, close: () => runtime.close() };
}

/**
 * A service for the tests of one file, started once with these settings, with the graph cleared
 * before each test; call the returned function inside a test for the service.
 */
export function serviceForTests(overrides: Record<string, string> = {}): () => TestService {
  let service: TestService | undefined;
  beforeAll(async () => {
    service = await startService(overrides);
  });
  afterAll(async () => {
    await service?.close();
  });
  beforeEach(async () => {
    await clearGraph(service!.graph);
  });
  return () => service!;
}

/** Clears the graph; the global setup has checked that this is a test instance. */
export async function clearGraph(graph: Graph): Promise<void> {
  const [state] = await graph.query<{ marked: boolean }>('read/graph-is-test-instance');
  if (!state?.marked) throw new Error('not a test instance: refusing to clear the graph');
  await graph.autoCommit('write/clear-test-graph');
}

export async function http<T>(
  baseUrl: string,
  method: string,
  path: string,
  body?: unknown,
  schema?: z.ZodType<T>,
  key: string | null = ADMIN_KEY,
): Promise<{ status: number; body: T; headers: Headers }> {
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers: {
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(key === null ? {} : { authorization: `Bearer ${key}` }),
    },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  const parsed: unknown =
    text.length > 0 && response.headers.get('content-type')?.includes('json')
      ? JSON.parse(text)
      : text;
  return {
    status: response.status,
    body: schema && response.ok ? schema.parse(parsed) : (parsed as T),
    headers: response.headers,
  };
}

/** Asserts an RFC 9457 problem+json answer with this status and code; returns the problem. */
export function expectProblem(
  answer: { status: number; body: unknown; headers: Headers },
  status: number,
  code: string,
) {
  expect(answer.status).toBe(status);
  expect(answer.headers.get('content-type')).toContain('application/problem+json');
  const problem = problemSchema.parse(answer.body);
  expect(problem).toMatchObject({ status, code });
  expect(problem.requestId).toBeTruthy();
  return problem;
}

/** Posts events and waits until their job has finished; returns the job as the API reports it. */
export async function ingest(service: Pick<TestService, 'baseUrl'>, events: IdentityEvent[]) {
  const posted = await http<{ jobId: string; accepted: number }>(
    service.baseUrl,
    'POST',
    '/v1/events',
    { events },
  );
  if (posted.status !== 202)
    throw new Error(`POST /v1/events answered ${posted.status}: ${JSON.stringify(posted.body)}`);
  return waitForJob(service, posted.body.jobId);
}

export async function waitForJob(
  service: Pick<TestService, 'baseUrl'>,
  jobId: string,
  timeoutMs = 60_000,
) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const job = await http(
      service.baseUrl,
      'GET',
      `/v1/jobs/${jobId}`,
      undefined,
      jobResponseSchema,
    );
    if (job.body.state === 'completed' || job.body.state === 'failed') return job.body;
    if (Date.now() > deadline)
      throw new Error(`job ${jobId} still ${job.body.state} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function resolve(
  service: Pick<TestService, 'baseUrl'>,
  identifiers: { type: string; value: string }[],
) {
  const answer = await http(
    service.baseUrl,
    'POST',
    '/v1/resolve',
    { identifiers },
    resolveResponseSchema,
  );
  if (answer.status !== 200) throw new Error(`POST /v1/resolve answered ${answer.status}`);
  return answer.body.results;
}

let counter = 0;
/** A valid event with fresh ids; override what the scenario is about. */
export function event(
  identifiers: { type: string; value: string }[],
  overrides: Partial<IdentityEvent> = {},
): IdentityEvent {
  counter += 1;
  return {
    id: `e-${Date.now()}-${counter}`,
    source: 'web',
    occurredAt: new Date(Date.UTC(2026, 0, 1, 0, 0, counter)).toISOString(),
    identifiers,
    ...overrides,
  };
}

export async function invariants(graph: Graph) {
  const [row] = await graph.query<Record<string, number>>('read/graph-invariants');
  return row!;
}

export const noViolations = {
  identifiersWithoutOnePerson: 0,
  activeLinksAcrossPersons: 0,
  inactivePersonsWithIdentifiers: 0,
  emptyActivePersons: 0,
  duplicateLinks: 0,
};

/**
 * A worker in a child process of its own (`src/main.ts --worker`), as production runs it, or a
 * test's own entry that runs the worker role with changes.
 */
export function spawnWorker(
  env: Record<string, string>,
  entry: readonly string[] = ['src/main.ts', '--worker'],
): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', ...entry], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    if (process.env.TEST_LOG_LEVEL) process.stderr.write(chunk);
  });
  return child;
}

export async function waitForLine(
  child: ChildProcess,
  text: string,
  timeoutMs = 60_000,
): Promise<void> {
  await new Promise<void>((resolvePromise, reject) => {
    let seen = '';
    const timer = setTimeout(
      () => reject(new Error(`no "${text}" from child within ${timeoutMs} ms`)),
      timeoutMs,
    );
    child.stdout?.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      if (seen.includes(text)) {
        clearTimeout(timer);
        resolvePromise();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`child exited with ${code} before "${text}"`));
    });
  });
}

export async function stopChild(
  child: ChildProcess,
  signal: NodeJS.Signals = 'SIGTERM',
): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
  return new Promise((resolvePromise) => {
    child.once('exit', (code) => resolvePromise(code));
    child.kill(signal);
  });
}

/** Posts the events in batches and waits until every job has completed. */
export async function ingestAll(
  service: Pick<TestService, 'baseUrl'>,
  events: IdentityEvent[],
  batchSize: number,
) {
  const jobIds: string[] = [];
  for (let i = 0; i < events.length; i += batchSize) {
    const posted = await http<{ jobId: string }>(service.baseUrl, 'POST', '/v1/events', {
      events: events.slice(i, i + batchSize),
    });
    if (posted.status !== 202) throw new Error(`POST /v1/events answered ${posted.status}`);
    jobIds.push(posted.body.jobId);
  }
  const jobs = [];
  for (const jobId of jobIds) jobs.push(await waitForJob(service, jobId, 300_000));
  return jobs;
}

export async function partitionOf(graph: Graph): Promise<Map<string, string>> {
  const rows = await graph.query<{ key: string; personId: string }>('read/identifier-partition');
  return new Map(rows.map((r) => [r.key, r.personId]));
}

export async function totals(graph: Graph) {
  const [row] = await graph.query<Record<string, number>>('read/graph-totals');
  return row!;
}
