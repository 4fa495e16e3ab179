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

/** One worker, stream order: the reference graph. Returns its partition and totals. */
async function resolveWithOneWorker(
  events: Parameters<typeof ingestAll>[1],
  batchSize: number,
  overrides: Record<string, string> = {},
) {
  const single = await startService({ ...overrides, WORKER_CONCURRENCY: '1' });
  services.push(single);
  await clearGraph(single.graph);
  const jobs = await ingestAll(single, events, batchSize);
  expect(jobs.every((j) => j.state === 'completed')).toBe(true);
  const partition = await partitionOf(single.graph);
  const graphTotals = await totals(single.graph);
  expect(await invariants(single.graph)).toEqual(noViolations);
  await single.close();
  services.pop();
  return { partition, totals: graphTotals };
}

/** An API in this process and two worker processes with four concurrent jobs each, on a clear graph. */
async function startTwoWorkerProcesses(overrides: Record<string, string> = {}) {
  const env = testEnv({ ...overrides, WORKER_CONCURRENCY: '4' });
  const api = await startService({ ...overrides, INGEST_QUEUE: env.INGEST_QUEUE! }, 'api');
  services.push(api);
  await clearGraph(api.graph);
  for (let i = 0; i < 2; i++) children.push(spawnWorker(env));
  await Promise.all(children.map((c) => waitForLine(c, 'idgraph worker ready')));
  return api;
}

describe('concurrent resolution', () => {
  it('makes the same persons with 1 worker and with 2 processes x 4 concurrency on the shuffled stream', async () => {
    const { partition: singlePartition, totals: singleTotals } = await resolveWithOneWorker(
      stream.events,
      250,
    );

    // Two worker processes with four concurrent jobs each, shuffled stream.
    const api = await startTwoWorkerProcesses();
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

    const { partition: singlePartition, totals: singleTotals } = await resolveWithOneWorker(
      records.events,
      40,
      overrides,
    );

    const api = await startTwoWorkerProcesses(overrides);
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
