import { describe, expect, it } from 'vitest';
import { createJobTracker, type EventRejection } from '../../src/cli/job-tracker.js';
import type { JobResult } from '../../src/ingest/ingest-contract.js';
import type { IngestQueue, JobView } from '../../src/ingest/ingest-queue.js';

/** A queue whose jobs finish when the test says so. */
function fakeQueue() {
  const jobs = new Map<string, JobView>();
  const queue: Pick<IngestQueue, 'getJob'> = {
    getJob: async (jobId) => jobs.get(jobId),
  };
  const result = (r: Partial<JobResult>): JobResult => ({
    applied: 0,
    duplicates: 0,
    rejectedEvents: 0,
    rejected: [],
    events: [],
    merges: 0,
    refusals: 0,
    ...r,
  });
  return {
    queue,
    waiting: (jobId: string) =>
      jobs.set(jobId, {
        jobId,
        state: 'waiting',
        result: undefined,
        failedReason: undefined,
      }),
    complete: (jobId: string, r: Partial<JobResult>) =>
      jobs.set(jobId, {
        jobId,
        state: 'completed',
        result: result(r),
        failedReason: undefined,
      }),
    fail: (jobId: string, reason: string) =>
      jobs.set(jobId, {
        jobId,
        state: 'failed',
        result: undefined,
        failedReason: reason,
      }),
  };
}

describe('job tracker', () => {
  it('adds up the outcomes of finished batches, oldest first, and groups rejections by event', async () => {
    const fake = fakeQueue();
    const rejections: EventRejection[] = [];
    const failures: string[] = [];
    const tracker = createJobTracker({
      queue: fake.queue,
      pollMs: 1,
      onRejection: (r) => rejections.push(r),
      onFailedBatch: (jobId, reason) => failures.push(`${jobId}: ${reason}`),
    });
    for (const [id, events] of [
      ['b1', 3],
      ['b2', 2],
      ['b3', 4],
    ] as const) {
      tracker.add(id, events);
      fake.waiting(id);
    }
    fake.complete('b1', {
      applied: 2,
      attributeWarnings: { dateOfBirth: 2 },
      rejectedEvents: 1,
      rejected: [
        { source: 'web', eventId: 'e1', reason: 'identifiers[0] (email): blocked' },
        { source: 'web', eventId: 'e1', reason: 'no_usable_identifier: event rejected' },
        { source: 'web', eventId: 'e2', reason: 'identifiers[1] (phone): invalid_phone' },
      ],
      events: [
        { source: 'web', eventId: 'e2', status: 'applied' },
        { source: 'web', eventId: 'e3', status: 'applied' },
      ],
    });
    fake.fail('b3', 'resolver failed: Neo4jError');
    await tracker.collect();
    // b2 has not finished, so b3 (finished) is not settled yet: batches settle in order.
    expect(tracker.totals()).toMatchObject({
      finishedBatches: 1,
      finishedEvents: 3,
      pendingBatches: 2,
      pendingEvents: 6,
    });
    fake.complete('b2', { applied: 1, duplicates: 1, attributeWarnings: { dateOfBirth: 1 } });
    expect(await tracker.waitUntilPendingAtMost(0, 1000)).toBe('done');
    expect(tracker.totals()).toEqual({
      batches: 3,
      finishedBatches: 3,
      finishedEvents: 9,
      applied: 3,
      duplicates: 1,
      rejectedEvents: 1,
      droppedValues: 1,
      attributeWarnings: { dateOfBirth: 3 },
      failedBatches: 1,
      failedEvents: 4,
      unknownBatches: 0,
      unknownEvents: 0,
      pendingBatches: 0,
      pendingEvents: 0,
    });
    expect(rejections).toEqual([
      {
        source: 'web',
        eventId: 'e1',
        reasons: ['identifiers[0] (email): blocked', 'no_usable_identifier: event rejected'],
      },
      { source: 'web', eventId: 'e2', reasons: ['identifiers[1] (phone): invalid_phone'] },
    ]);
    expect(failures).toEqual(['b3: resolver failed: Neo4jError']);
  });

  it('waits only until at most the given number of batches is pending', async () => {
    const fake = fakeQueue();
    const tracker = createJobTracker({ queue: fake.queue, pollMs: 1 });
    for (const id of ['b1', 'b2', 'b3']) {
      tracker.add(id, 10);
      fake.waiting(id);
    }
    setTimeout(() => fake.complete('b1', { applied: 10 }), 20);
    expect(await tracker.waitUntilPendingAtMost(2, 5000)).toBe('done');
    expect(tracker.totals()).toMatchObject({ applied: 10, pendingBatches: 2 });
  });

  it('gives up when the oldest batch does not finish within the stall limit, with one hint on the way', async () => {
    const fake = fakeQueue();
    let clock = 0;
    const hints: number[] = [];
    const tracker = createJobTracker({
      queue: fake.queue,
      pollMs: 1,
      now: () => (clock += 100),
      slowAfterMs: 1000,
      onSlow: (ms) => hints.push(ms),
    });
    tracker.add('b1', 5);
    fake.waiting('b1');
    expect(await tracker.waitUntilPendingAtMost(0, 3000)).toBe('stalled');
    expect(hints).toHaveLength(1);
    expect(tracker.totals()).toMatchObject({
      pendingBatches: 1,
      pendingEvents: 5,
      finishedBatches: 0,
    });
  });

  it('stops waiting as soon as the run is interrupted', async () => {
    const fake = fakeQueue();
    const tracker = createJobTracker({ queue: fake.queue, pollMs: 10_000 });
    tracker.add('b1', 5);
    fake.waiting('b1');
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 20);
    const started = Date.now();
    expect(await tracker.waitUntilPendingAtMost(0, 60_000, controller.signal)).toBe('aborted');
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('counts a batch whose job is gone as unknown', async () => {
    const fake = fakeQueue();
    const tracker = createJobTracker({ queue: fake.queue, pollMs: 1 });
    tracker.add('gone', 7);
    expect(await tracker.waitUntilPendingAtMost(0, 1000)).toBe('done');
    expect(tracker.totals()).toMatchObject({
      unknownBatches: 1,
      unknownEvents: 7,
      finishedEvents: 7,
    });
  });
});
