import { describe, expect, it } from 'vitest';
import { serviceAddresses } from '../../src/config.js';
import { INGEST_QUEUE_STREAMS } from '../../src/ingest/ingest-contract.js';
import { createRedis } from '../../src/ingest/redis-connection.js';
import { event, http, ingest, serviceForTests, waitForJob } from './harness.js';

/**
 * Completed batches are kept in Redis only as long as INGEST_JOBS_KEPT allows: each holds its
 * events, so an unbounded queue of them would grow Redis with traffic (docs/operations.md). The
 * queue's event stream, whose completed entries carry each batch's outcome, is kept short too, and
 * a completed batch keeps its outcome without its events (they are in the graph's event log).
 */

const service = serviceForTests({ INGEST_JOBS_KEPT: '2' });

describe('completed ingest batches kept', () => {
  it('keeps the newest INGEST_JOBS_KEPT completed batches and removes older ones', async () => {
    const jobIds: string[] = [];
    for (let i = 0; i < 4; i++) {
      const job = await ingest(service(), [
        event([{ type: 'email', value: `kept-${i}@example.com` }]),
      ]);
      expect(job.state).toBe('completed');
      jobIds.push(job.jobId);
    }
    const statuses = await Promise.all(
      jobIds.map(async (id) => (await http(service().baseUrl, 'GET', `/v1/jobs/${id}`)).status),
    );
    expect(statuses).toEqual([404, 404, 200, 200]);
  });

  it("keeps the queue's event stream short, however many batches pass", async () => {
    const { maxLen } = INGEST_QUEUE_STREAMS.events;
    const batches = Array.from({ length: 300 }, (_, i) =>
      event([{ type: 'email', value: `stream-${i}@example.com` }]),
    );
    // One event per batch: each adds its entries (added, waiting, active, completed). Posted at
    // once; the last is waited for (the others are gone from the queue by then, INGEST_JOBS_KEPT).
    const jobIds: string[] = [];
    for (const batch of batches) {
      const posted = await http<{ jobId: string }>(service().baseUrl, 'POST', '/v1/events', {
        events: [batch],
      });
      expect(posted.status).toBe(202);
      jobIds.push(posted.body.jobId);
    }
    expect((await waitForJob(service(), jobIds.at(-1)!, 110_000)).state).toBe('completed');
    const { config } = service();
    const redis = createRedis(serviceAddresses(config).redisUrl, 'worker');
    try {
      const key = `${config.QUEUE_PREFIX}:${config.INGEST_QUEUE}:events`;
      const [first] = await redis.xrange(key, '-', '+', 'COUNT', 1);
      const jobIdOf = (entry: [string, string[]] | undefined) =>
        entry?.[1][entry[1].indexOf('jobId') + 1];
      // Trimmed, as Redis trims a stream (`MAXLEN ~`): up to one stream node over the length.
      expect(await redis.xlen(key)).toBeLessThanOrEqual(maxLen + 100);
      expect(jobIdOf(first)).not.toBe(jobIds[0]);
    } finally {
      await redis.quit();
    }
  });

  it('keeps a completed batch without its events: its outcome is still answered', async () => {
    const email = `applied-once-${Date.now()}@example.com`;
    const job = await ingest(service(), [event([{ type: 'email', value: email }])]);
    expect(job.state).toBe('completed');
    const { config } = service();
    const redis = createRedis(serviceAddresses(config).redisUrl, 'worker');
    try {
      const key = `${config.QUEUE_PREFIX}:${config.INGEST_QUEUE}:${job.jobId}`;
      let data = await redis.hget(key, 'data');
      for (let i = 0; data?.includes(email) && i < 100; i++) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        data = await redis.hget(key, 'data');
      }
      const stored = JSON.parse(data!) as { events: unknown[]; acceptedAt: string };
      expect(stored.events).toEqual([]);
      expect(Date.parse(stored.acceptedAt)).not.toBeNaN();
      expect(Object.values(await redis.hgetall(key)).join(' ')).not.toContain(email);
    } finally {
      await redis.quit();
    }
    const again = await http(service().baseUrl, 'GET', `/v1/jobs/${job.jobId}`);
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ state: 'completed', counts: { applied: 1 } });
  });
});
