import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedisCluster, type RedisClusterHandle } from '../../scripts/redis-cluster.mjs';
import { problemSchema } from '../../src/api/problem.js';
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
