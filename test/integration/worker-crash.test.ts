import { afterEach, describe, expect, it } from 'vitest';
import { generateStream, pairwiseScores } from '../support/identity-generator.js';
import {
  clearGraph,
  http,
  invariants,
  noViolations,
  partitionOf,
  spawnWorker,
  startService,
  stopChild,
  type TestService,
  testEnv,
  totals,
  waitForJob,
  waitForLine,
} from './harness.js';

/** A worker killed with SIGKILL in the middle of ingestion loses nothing and applies nothing twice. */

const children: ReturnType<typeof spawnWorker>[] = [];
let api: TestService | undefined;

afterEach(async () => {
  await Promise.all(children.splice(0).map((c) => stopChild(c, 'SIGKILL')));
  await api?.close();
});

describe('worker crash', () => {
  it('applies every accepted event exactly once after kill -9 and restart', async () => {
    const stream = generateStream({ events: 6000, seed: 11 });
    const env = testEnv({ WORKER_CONCURRENCY: '2', WORKER_LOCK_DURATION_MS: '3000' });
    api = await startService({ INGEST_QUEUE: env.INGEST_QUEUE! }, 'api');
    await clearGraph(api.graph);

    const jobIds: string[] = [];
    for (let i = 0; i < stream.events.length; i += 200) {
      const posted = await http<{ jobId: string }>(api.baseUrl, 'POST', '/v1/events', {
        events: stream.events.slice(i, i + 200),
      });
      jobIds.push(posted.body.jobId);
    }

    const first = spawnWorker(env);
    children.push(first);
    await waitForLine(first, 'idgraph worker ready');
    // Let it get well into the stream, then kill it without warning.
    await waitForJob(api, jobIds[4]!, 120_000);
    const before = await totals(api.graph);
    expect(before.events).toBeLessThan(stream.events.length);
    await stopChild(first, 'SIGKILL');

    const second = spawnWorker(env);
    children.push(second);
    await waitForLine(second, 'idgraph worker ready');
    const jobs = [];
    for (const jobId of jobIds) jobs.push(await waitForJob(api, jobId, 180_000));
    expect(jobs.map((j) => j.state)).toEqual(jobIds.map(() => 'completed'));
    expect(jobs.reduce((n, j) => n + j.counts.applied, 0)).toBe(stream.events.length);
    expect(jobs.reduce((n, j) => n + j.counts.duplicates, 0)).toBe(0);

    // Exactly once: one log entry per event, one mention per carried identifier, one unit of link
    // evidence per (event, identifier linked to the event's anchor).
    const after = await totals(api.graph);
    const mentions = stream.events.reduce((n, e) => n + e.identifiers.length, 0);
    const anchored = stream.events.reduce((n, e) => n + e.identifiers.length - 1, 0);
    expect(after.events).toBe(stream.events.length);
    expect(after.mentions).toBe(mentions);
    expect(after.evidence).toBe(anchored);
    expect(after.identifiers).toBe(stream.truth.size);
    expect(await invariants(api.graph)).toEqual(noViolations);
    const scores = pairwiseScores(await partitionOf(api.graph), stream.truth);
    expect(scores).toMatchObject({ precision: 1, recall: 1 });
  });
});
