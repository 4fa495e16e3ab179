import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedisCluster, type RedisClusterHandle } from '../../scripts/redis-cluster.mjs';
import { problemSchema } from '../../src/api/problem.js';
import { Queue, Worker } from 'bullmq';
import { createJobWaiter } from '../../src/ingest/job-waiter.js';
import { createRedis, redisServers } from '../../src/ingest/redis-connection.js';
import { clearGraph, event, http, ingest, resolve, startService } from './harness.js';

/**
 * The queue on a Redis Cluster of this file's own (three masters, scripts/redis-cluster.mjs),
 * whichever Redis the rest of the suite runs on: BullMQ's scripts touch several keys of a queue at
 * once, which a cluster refuses (CROSSSLOT) unless the keys share a hash tag.
 */

let dataDir: string;
let cluster: RedisClusterHandle;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'idgraph-cluster-'));
  cluster = await startRedisCluster({ dataDir });
});

afterAll(async () => {
  await cluster?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

describe('on a Redis Cluster', () => {
  it('applies events, with every key of the queues in one slot under the {idgraph} hash tag', async () => {
    const service = await startService({ REDIS_URL: cluster.url });
    const redis = createRedis(cluster.url, 'worker');
    try {
      expect(service.config.QUEUE_PREFIX).toBe('{idgraph}');
      await clearGraph(service.graph);
      const job = await ingest(service, [
        event([
          { type: 'email', value: 'ann@example.org' },
          { type: 'user_id', value: 'u-cluster-1' },
        ]),
        event([{ type: 'user_id', value: 'u-cluster-1' }]),
      ]);
      expect(job.state).toBe('completed');
      expect(job.counts?.applied).toBe(2);
      const [byEmail, byUser] = await resolve(service, [
        { type: 'email', value: 'ann@example.org' },
        { type: 'user_id', value: 'u-cluster-1' },
      ]);
      expect(byEmail?.personId).toBeTruthy();
      expect(byUser?.personId).toBe(byEmail?.personId);

      const keysPerMaster = await Promise.all(
        redisServers(redis, 'master').map((master) => master.keys('*')),
      );
      expect(keysPerMaster).toHaveLength(3);
      const keys = keysPerMaster.flat();
      expect(keys.some((k) => k.includes(service.config.INGEST_QUEUE))).toBe(true);
      expect(keys.filter((k) => !k.startsWith('{idgraph}:'))).toEqual([]);
      expect(keysPerMaster.filter((k) => k.length > 0)).toHaveLength(1);
    } finally {
      await redis.quit();
      await service.close();
    }
  });

  it('hears every job finish, however soon after the wait begins (?wait=true, the model refresh)', async () => {
    // On a cluster the event reader's first read reaches Redis after it reports ready: a job the
    // worker finished in between must still be heard, not waited for until the timeout.
    const redis = createRedis(cluster.url, 'worker');
    const prefix = '{idgraph-waiter}';
    const queue = new Queue<object, string>('waiter', { connection: redis, prefix });
    const workerRedis = createRedis(cluster.url, 'worker');
    const worker = new Worker<object, string>('waiter', async (job) => `done ${job.id}`, {
      connection: workerRedis,
      prefix,
    });
    const heard: string[] = [];
    try {
      await worker.waitUntilReady();
      for (let n = 0; n < 12; n += 1) {
        const waiter = createJobWaiter(queue, redis, () => undefined);
        try {
          await waiter.listen();
          const job = await queue.add('quick', {}, { jobId: `quick-${n}` });
          heard.push(await waiter.wait(job, 5_000));
        } finally {
          await waiter.close();
        }
      }
      expect(heard).toEqual(Array.from({ length: 12 }, (_, n) => `done quick-${n}`));
    } finally {
      await worker.close();
      await workerRedis.quit();
      await queue.close();
      await redis.quit();
    }
  });

  it('answers 503 problem+json with Retry-After, not a hang, when the cluster is down', async () => {
    const api = await startService({ REDIS_URL: cluster.url }, 'api');
    try {
      await cluster.stop();
      const started = Date.now();
      const answer = await http(api.baseUrl, 'POST', '/v1/events', {
        events: [event([{ type: 'email', value: 'kim@example.org' }])],
      });
      expect(answer.status).toBe(503);
      expect(answer.headers.get('content-type')).toContain('application/problem+json');
      expect(problemSchema.parse(answer.body).code).toBe('DEPENDENCY_UNAVAILABLE');
      expect(answer.headers.get('retry-after')).toBeTruthy();
      expect(Date.now() - started).toBeLessThan(8000);
      const ready = await http(api.baseUrl, 'GET', '/readyz', undefined, undefined, null);
      expect(ready.status).toBe(503);
    } finally {
      await api.close();
    }
  });
});
