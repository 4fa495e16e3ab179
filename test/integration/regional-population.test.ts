import { describe, expect, it } from 'vitest';
import {
  generateRegionalCustomers,
  generateReturningHouseholds,
  scorePartition,
  truthIdentifiers,
} from '../support/regional-population.js';
import {
  clearGraph,
  ingestAll,
  invariants,
  noViolations,
  resolve,
  serviceForTests,
  totals,
} from './harness.js';

/**
 * Probabilistic matching on a regional customer base, as a new user meets it: the default model
 * and settings, no training step. A few towns with one postcode each, common names, households of
 * 2-4 sharing surname and address with different first names and birth dates. Different people
 * stay apart, whether or not an identifier limit would catch a wrong link; returning customers
 * with a typo and a new email are found.
 */

const current = serviceForTests();

/** The person of every event's identifier, as a downstream service would resolve it. */
async function partition(truth: ReadonlyMap<string, number>) {
  const ids = truthIdentifiers(truth);
  const byKey = new Map<string, string>();
  // POST /v1/resolve takes at most 1000 identifiers.
  for (let from = 0; from < ids.length; from += 1000) {
    const chunk = ids.slice(from, from + 1000);
    const results = await resolve(current(), chunk);
    chunk.forEach((id, n) => byKey.set(`${id.type}:${id.value}`, results[n]!.personId!));
  }
  return byKey;
}

describe('a regional customer base, default model', () => {
  it('links no two different customers: no household, no neighbours, no namesakes', async () => {
    await clearGraph(current().graph);
    // external_id has no per-person limit, so a wrong link would merge and not be refused.
    const population = generateRegionalCustomers({ identifierType: 'external_id' });
    const jobs = await ingestAll(current(), population.events, 1000);
    expect(jobs.every((j) => j.state === 'completed')).toBe(true);
    const matched = jobs.reduce((n, j) => n + (j.matching?.matched ?? 0), 0);
    const scored = jobs.reduce((n, j) => n + (j.matching?.scored ?? 0), 0);
    // Households, streets and towns were compared: the blocks bring them together.
    expect(scored).toBeGreaterThan(population.events.length);
    expect(matched).toBe(0);
    const graph = await totals(current().graph);
    expect(graph.probabilisticLinks).toBe(0);
    expect(graph.activePersons).toBe(population.events.length);
    expect(await invariants(current().graph)).toEqual(noViolations);
  });

  it('finds the customers who come back from a shop, and keeps their families apart', async () => {
    await clearGraph(current().graph);
    const population = generateReturningHouseholds();
    // Event ids of their own: the queue answers a batch of event keys it has seen with that job.
    const events = population.events.map((e) => ({ ...e, id: `households-${e.id}` }));
    const jobs = await ingestAll(current(), events, 1000);
    expect(jobs.every((j) => j.state === 'completed')).toBe(true);
    const scores = scorePartition(await partition(population.truth), population.truth);
    expect(scores.falsePositives).toEqual([]);
    expect(scores.precision).toBeGreaterThanOrEqual(0.999);
    expect(scores.recall).toBeGreaterThanOrEqual(0.95);
    expect(await invariants(current().graph)).toEqual(noViolations);
  });
});
