import { afterEach, describe, expect, it } from 'vitest';
import {
  canonicalPartition,
  generateStream,
  pairwiseScores,
  prng,
  shuffle,
} from '../support/identity-generator.js';
import { generatePersonRecords } from '../support/person-records.js';
import {
  clearGraph,
  ingestAll,
  invariants,
  noViolations,
  partitionOf,
  spawnWorker,
  startService,
  stopChild,
  type TestService,
  testEnv,
  totals,
  waitForLine,
} from './harness.js';

/**
 * Several workers at once must make exactly the graph one worker makes: same partition, no duplicate
 * nodes, no lost links, and, on conflict-free data, exactly the true persons.
 */

const stream = generateStream({ events: 10_000, seed: 7 });
const children: ReturnType<typeof spawnWorker>[] = [];
const services: TestService[] = [];

afterEach(async () => {
  await Promise.all(children.splice(0).map((c) => stopChild(c, 'SIGKILL')));
  await Promise.all(services.splice(0).map((s) => s.close()));
});

describe('concurrent resolution', () => {
  it('makes the same persons with 1 worker and with 2 processes x 4 concurrency on the shuffled stream', async () => {
    // One worker, stream order.
    const single = await startService({ WORKER_CONCURRENCY: '1' });
    services.push(single);
    await clearGraph(single.graph);
    const singleJobs = await ingestAll(single, stream.events, 250);
    expect(singleJobs.every((j) => j.state === 'completed')).toBe(true);
    const singlePartition = await partitionOf(single.graph);
    const singleTotals = await totals(single.graph);
    expect(await invariants(single.graph)).toEqual(noViolations);
    await single.close();
    services.pop();

    // Two worker processes with four concurrent jobs each, shuffled stream.
    const env = testEnv({ WORKER_CONCURRENCY: '4' });
    const api = await startService({ INGEST_QUEUE: env.INGEST_QUEUE! }, 'api');
    services.push(api);
    await clearGraph(api.graph);
    for (let i = 0; i < 2; i++) children.push(spawnWorker(env));
    await Promise.all(children.map((c) => waitForLine(c, 'idgraph worker ready')));
    const shuffled = shuffle(stream.events, prng(99));
    const jobs = await ingestAll(api, shuffled, 250);
    expect(jobs.every((j) => j.state === 'completed')).toBe(true);
    expect(jobs.filter((j) => j.counts.applied !== 250)).toEqual([]);

    const concurrentPartition = await partitionOf(api.graph);
    expect(canonicalPartition(concurrentPartition)).toEqual(canonicalPartition(singlePartition));
    const concurrentTotals = await totals(api.graph);
    expect(concurrentTotals).toEqual({
      ...singleTotals,
      activePersons: singleTotals.activePersons,
    });
    expect(concurrentTotals.identifiers).toBe(stream.truth.size);
    expect(concurrentTotals.events).toBe(stream.events.length);
    expect(await invariants(api.graph)).toEqual(noViolations);

    for (const partition of [singlePartition, concurrentPartition]) {
      const scores = pairwiseScores(partition, stream.truth);
      expect(scores.precision).toBe(1);
      expect(scores.recall).toBe(1);
    }
  });

  it('matches records alike with 1 worker and with 2 processes x 4 concurrency: same persons, links and reviews', async () => {
    // Only probabilistic matching can join these records: every record has an identifier of its own.
    // Small batches, shuffled, so concurrent batches hold records of one person and meet on blocks.
    const records = generatePersonRecords({ persons: 600, seed: 11 });
    const overrides = { MATCH_AUTO_THRESHOLD: '0.99', MATCH_REVIEW_THRESHOLD: '0.5' };

    const single = await startService({ ...overrides, WORKER_CONCURRENCY: '1' });
    services.push(single);
    await clearGraph(single.graph);
    const singleJobs = await ingestAll(single, records.events, 40);
    expect(singleJobs.every((j) => j.state === 'completed')).toBe(true);
    const singlePartition = await partitionOf(single.graph);
    const singleTotals = await totals(single.graph);
    expect(await invariants(single.graph)).toEqual(noViolations);
    await single.close();
    services.pop();

    const env = testEnv({ ...overrides, WORKER_CONCURRENCY: '4' });
    const api = await startService({ ...overrides, INGEST_QUEUE: env.INGEST_QUEUE! }, 'api');
    services.push(api);
    await clearGraph(api.graph);
    for (let i = 0; i < 2; i++) children.push(spawnWorker(env));
    await Promise.all(children.map((c) => waitForLine(c, 'idgraph worker ready')));
    const jobs = await ingestAll(api, shuffle(records.events, prng(5)), 40);
    expect(jobs.every((j) => j.state === 'completed')).toBe(true);

    const concurrentPartition = await partitionOf(api.graph);
    expect(canonicalPartition(concurrentPartition)).toEqual(canonicalPartition(singlePartition));
    const concurrentTotals = await totals(api.graph);
    expect(concurrentTotals).toEqual(singleTotals);
    expect(concurrentTotals.records).toBe(records.events.length);
    expect(concurrentTotals.probabilisticLinks).toBeGreaterThan(0);
    expect(await invariants(api.graph)).toEqual(noViolations);

    // And the persons are right: this data is easy, so nearly every duplicate is found.
    const scores = pairwiseScores(concurrentPartition, records.truth);
    expect(scores.precision).toBeGreaterThan(0.98);
    expect(scores.recall).toBeGreaterThan(0.9);
  });
});
