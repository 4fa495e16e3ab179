import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { problemSchema } from '../../src/api/problem.js';
import { ensureNeo4j, freePort } from '../../scripts/local-services.mjs';
import { event, http, ingest, startService, type TestService, waitForJob } from './harness.js';

/**
 * Neo4j killed with SIGKILL, then frozen with SIGSTOP, under a running service (API + worker) on a
 * Neo4j of its own: every call that needs Neo4j answers 503 problem+json with Retry-After instead
 * of waiting for the driver's retries and its pool, /readyz names Neo4j, events accepted meanwhile
 * are applied once Neo4j is back (not dead-lettered), and the service recovers without a restart.
 */

type Neo4j = Awaited<ReturnType<typeof ensureNeo4j>>;

let dataDir: string | undefined;
let neo4j: Neo4j | undefined;
let service: TestService | undefined;
let frozen: number | undefined;

afterAll(async () => {
  if (frozen) process.kill(frozen, 'SIGCONT');
  await service?.close();
  await neo4j?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

/**
 * Generous: far below the 14–31 s that the driver's retries and the pool wait took; it catches a
 * hang, while the test's point is the answer (the mechanism answers without touching the driver).
 */
const FAIL_FAST_BOUND_MS = 3000;

async function timed(path: string, method = 'GET', body?: unknown, key?: string | null) {
  const started = performance.now();
  const answer = await http<unknown>(service!.baseUrl, method, path, body, undefined, key);
  return { ...answer, ms: performance.now() - started };
}

function expectUnavailable(answer: Awaited<ReturnType<typeof timed>>) {
  expect(answer.status).toBe(503);
  expect(answer.headers.get('content-type')).toContain('application/problem+json');
  expect(problemSchema.parse(answer.body)).toMatchObject({
    status: 503,
    code: 'DEPENDENCY_UNAVAILABLE',
    detail: 'neo4j is unavailable',
  });
  expect(Number(answer.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
  expect(answer.ms).toBeLessThan(FAIL_FAST_BOUND_MS);
}

async function readyz() {
  return http<{ status: string; checks: Record<string, string> }>(
    service!.baseUrl,
    'GET',
    '/readyz',
    undefined,
    undefined,
    null,
  );
}

async function untilReady(timeoutMs = 90_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ready = await readyz();
    if (ready.status === 200) return ready;
    if (Date.now() > deadline) throw new Error(`not ready: ${JSON.stringify(ready.body)}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

const lookup = (value: string) => `/v1/identifiers/email/${encodeURIComponent(value)}`;

describe('Neo4j outage', () => {
  it(
    'fails fast while Neo4j is killed or frozen, and recovers by itself',
    { timeout: 480_000 },
    async () => {
      dataDir = await mkdtemp(join(tmpdir(), 'idgraph-neo4j-outage-'));
      const boltPort = await freePort();
      const start = () =>
        ensureNeo4j({
          dataDir,
          boltPort,
          heap: '512m',
          pageCache: '64m',
          ignoreEnv: true,
          log: () => {},
        });
      neo4j = await start();
      service = await startService({ NEO4J_URI: neo4j.uri });
      await ingest(service, [event([{ type: 'email', value: 'before@example.org' }])]);
      expect((await timed(lookup('before@example.org'))).status).toBe(200);

      // kill -9: a refused connection.
      process.kill(neo4j.pid!, 'SIGKILL');
      await neo4j.stop();
      const first = await timed(lookup('before@example.org'));
      expectUnavailable(first);
      for (const path of [lookup('before@example.org'), '/v1/audit', '/v1/persons/p_unknown']) {
        expectUnavailable(await timed(path));
      }
      const ready = await readyz();
      expect(ready.status).toBe(503);
      expect(ready.headers.get('retry-after')).toBeTruthy();
      expect(ready.body.checks).toMatchObject({ neo4j: 'down: unreachable', redis: 'ok' });
      // Ingest needs only Redis: accepted now, applied once Neo4j is back.
      const during = await timed('/v1/events', 'POST', {
        events: [event([{ type: 'email', value: 'during@example.org' }])],
      });
      expect(during.status).toBe(202);
      const { jobId } = during.body as { jobId: string };

      neo4j = await start();
      expect((await untilReady()).body.checks).toEqual({
        neo4j: 'ok',
        redis: 'ok',
        migrations: 'ok',
      });
      const job = await waitForJob(service, jobId, 120_000);
      expect(job).toMatchObject({ state: 'completed', counts: { applied: 1 } });
      expect((await timed(lookup('during@example.org'))).status).toBe(200);

      // SIGSTOP: connections hang rather than fail; a probe that gets no answer marks Neo4j down.
      frozen = neo4j.pid!;
      process.kill(frozen, 'SIGSTOP');
      expectUnavailable(await timed(lookup('before@example.org')));
      const hung = await readyz();
      expect(hung.status).toBe(503);
      expect(hung.body.checks.neo4j).toMatch(/^down: /);
      process.kill(frozen, 'SIGCONT');
      frozen = undefined;
      await untilReady();
      expect((await timed(lookup('before@example.org'))).status).toBe(200);
      const deadLetters = await timed('/v1/dead-letters');
      expect(deadLetters.body).toMatchObject({ total: 0 });
    },
  );
});
