import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ensureRedis, freePort } from '../../scripts/local-services.mjs';
import {
  event,
  http,
  spawnWorker,
  stopChild,
  testEnv,
  waitForJob,
  waitForLine,
} from './harness.js';

/**
 * Redis killed with SIGKILL under the service as production runs it (`src/main.ts`, API and
 * worker in one process): everything the process writes during the outage is a JSON log line,
 * none names an identifier value, calls that need Redis answer 503 with Retry-After, /readyz names
 * Redis, and once Redis is back the process accepts and applies events again without a restart.
 */

type Redis = Awaited<ReturnType<typeof ensureRedis>>;

let dataDir: string | undefined;
let redis: Redis | undefined;
let child: ChildProcess | undefined;
let waitingApi: ChildProcess | undefined;

afterAll(async () => {
  if (child) await stopChild(child, 'SIGKILL');
  if (waitingApi) await stopChild(waitingApi, 'SIGKILL');
  await redis?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('Redis outage', () => {
  it(
    'logs only JSON, without values, answers 503, and recovers by itself',
    { timeout: 300_000 },
    async () => {
      dataDir = await mkdtemp(join(tmpdir(), 'idgraph-redis-outage-'));
      const redisPort = await freePort();
      const startRedis = () =>
        ensureRedis({ dataDir, port: redisPort, ignoreEnv: true, log: () => {} });
      redis = await startRedis();
      const port = await freePort();
      child = spawnWorker(
        testEnv({ REDIS_URL: redis.url, LOG_LEVEL: 'info', HOST: '127.0.0.1', PORT: String(port) }),
        ['src/main.ts'],
      );
      let output = '';
      child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
      await waitForLine(child, 'idgraph ready:', 120_000);
      const baseUrl = `http://127.0.0.1:${port}`;
      const value = (what: string) => `${what}.${randomUUID()}@example.org`;
      const post = (email: string) =>
        http<{ jobId: string }>(baseUrl, 'POST', '/v1/events', {
          events: [event([{ type: 'email', value: email }])],
        });
      const before = value('before');
      const accepted = await post(before);
      expect(accepted.status).toBe(202);
      await waitForJob({ baseUrl }, accepted.body.jobId);
      const sinceReady = output.length;
      // A `?wait=true` call under way when Redis dies, to an API alone on a queue no worker takes:
      // only the outage can end the wait before its timeout.
      const waitingPort = await freePort();
      waitingApi = spawnWorker(
        testEnv({
          REDIS_URL: redis.url,
          LOG_LEVEL: 'info',
          HOST: '127.0.0.1',
          PORT: String(waitingPort),
          INGEST_QUEUE: 'ingest-unworked',
          EVENTS_WAIT_TIMEOUT_MS: '30000',
        }),
        ['src/main.ts', '--api'],
      );
      let waitingOutput = '';
      waitingApi.stdout!.on('data', (chunk: Buffer) => (waitingOutput += chunk.toString()));
      waitingApi.stderr!.on('data', (chunk: Buffer) => (waitingOutput += chunk.toString()));
      await waitForLine(waitingApi, 'idgraph ready:', 120_000);
      const waitingSince = waitingOutput.length;
      const waiting = value('waiting');
      const inFlight = http(`http://127.0.0.1:${waitingPort}`, 'POST', '/v1/events?wait=true', {
        events: [event([{ type: 'email', value: waiting }])],
      });
      await sleep(1_000);

      process.kill(redis.pid!, 'SIGKILL');
      const killedAt = Date.now();
      const waited = await inFlight;
      expect(waited.status).toBe(503);
      expect(Date.now() - killedAt).toBeLessThan(3_000);
      await redis.stop();
      const during = value('during');
      const refused = await post(during);
      expect(refused.status).toBe(503);
      expect(refused.headers.get('content-type')).toContain('application/problem+json');
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(refused.body).toMatchObject({
        code: 'DEPENDENCY_UNAVAILABLE',
        detail: 'redis is unavailable',
      });
      const job = await http(baseUrl, 'GET', `/v1/jobs/${accepted.body.jobId}`);
      expect(job.status).toBe(503);
      const ready = await http<{ checks: Record<string, string> }>(
        baseUrl,
        'GET',
        '/readyz',
        undefined,
        undefined,
        null,
      );
      expect(ready.status).toBe(503);
      expect(ready.body.checks).toMatchObject({ redis: 'down: unreachable', neo4j: 'ok' });
      // A lookup needs only Neo4j.
      const found = await http(
        baseUrl,
        'GET',
        `/v1/identifiers/email/${encodeURIComponent(before)}`,
      );
      expect(found.status).toBe(200);
      // Reconnection attempts go on in every connection (queues, workers, scheduled jobs) meanwhile.
      await sleep(10_000);
      const outage = output.slice(sinceReady);

      redis = await startRedis();
      const after = value('after');
      let again = await post(after);
      for (let i = 0; again.status !== 202 && i < 100; i++) {
        await sleep(200);
        again = await post(after);
      }
      expect(again.status).toBe(202);
      expect(await waitForJob({ baseUrl }, again.body.jobId, 60_000)).toMatchObject({
        state: 'completed',
        counts: { applied: 1 },
      });
      expect(await stopChild(child, 'SIGTERM')).toBe(0);
      child = undefined;
      expect(await stopChild(waitingApi, 'SIGTERM')).toBe(0);
      waitingApi = undefined;

      const lines = [output.slice(sinceReady), waitingOutput.slice(waitingSince)]
        .join('\n')
        .split('\n')
        .filter((line) => line.length > 0);
      const notJson = lines.filter((line) => {
        try {
          return typeof JSON.parse(line) !== 'object';
        } catch {
          return true;
        }
      });
      expect(notJson).toEqual([]);
      for (const email of [before, during, after, waiting])
        expect(output + waitingOutput).not.toContain(email.split('@')[0]);
      const messages = lines.map((line) => (JSON.parse(line) as { msg?: string }).msg);
      expect(messages).toContain('redis connection lost; reconnecting');
      expect(messages).toContain('redis connection restored');
      // Logged once per connection, not once per reconnection attempt.
      expect(outage.split('redis connection lost').length - 1).toBeLessThanOrEqual(2);
    },
  );
});
