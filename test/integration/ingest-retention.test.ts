import { describe, expect, it } from 'vitest';
import { event, http, ingest, serviceForTests } from './harness.js';

/**
 * Completed batches are kept in Redis only as long as INGEST_JOBS_KEPT allows: each holds its
 * events, so an unbounded queue of them would grow Redis with traffic (docs/operations.md).
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
});
