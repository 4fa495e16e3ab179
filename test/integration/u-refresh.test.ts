import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { linkExplanationSchema, personLinksSchema } from '../../src/api/schemas.js';
import { runCli } from '../../src/cli/cli-program.js';
import type { IdentityEvent } from '../../src/events/event-schema.js';
import { readActiveModel } from '../../src/matching/model/active-model.js';
import { DEFAULT_MODEL } from '../../src/matching/model/default-model.js';
import { activeModelVersion } from '../../src/matching/model/model-follower.js';
import { createRecordMatcher } from '../../src/matching/record-matcher.js';
import type { ModelComparison } from '../../src/matching/scoring/fellegi-sunter.js';
import { estimateU } from '../../src/matching/training/u-estimation.js';
import { loadConfig } from '../../src/config.js';
import { testGraph } from '../support/privacy.js';
import { generateRegionalCustomers, type RegionalPerson } from '../support/regional-population.js';
import {
  clearGraph,
  http,
  ingest,
  ingestAll,
  invariants,
  noViolations,
  resolve,
  startService,
  testEnv,
  type TestService,
  totals,
} from './harness.js';

/**
 * u from the graph's records, refreshed automatically: the built-in model, a small minimum of
 * records, a regional customer base ingested, and the refresh check run as the scheduler runs it
 * (a job on the refresh queue). The estimate becomes a new model version the service switches to,
 * links made afterwards record and explain it, and the graph keeps no attribute value about it.
 */

const MIN_RECORDS = 500;
const CUSTOMERS = 1_000;

let service: TestService;
let env: Record<string, string>;

beforeAll(async () => {
  env = testEnv({ MATCH_U_MIN_RECORDS: String(MIN_RECORDS) });
  // Cleared before the service starts: its scheduled check runs at once, and on the records an
  // earlier file left it would estimate a version of its own that this file never asked for.
  const graph = testGraph(loadConfig(env));
  try {
    await clearGraph(graph);
  } finally {
    await graph.close();
  }
  service = await startService(env);
});
afterAll(async () => {
  // The active version must not outlive this file: services of other files would score with it.
  if (service) await clearGraph(service.graph);
  await service?.close();
});

const trigger = () => service.runtime.modelRefresh!.trigger();

/** Four towns: one random pair of customers in four lives in the same one. */
const population = generateRegionalCustomers({
  customers: CUSTOMERS,
  cities: 4,
  identifierType: 'external_id',
});

/** u of the address comparison's `place` level, and the level's index. */
function placeU(comparisons: readonly ModelComparison[]): { index: number; u: number } {
  const address = comparisons.find((c) => c.attribute === 'address')!;
  const index = address.levels.findIndex(
    (l) => l.when.type === 'address' && l.when.match === 'place',
  );
  return { index, u: address.levels[index]!.u };
}

/** u from every pair of the population's records, normalised as the service normalises them. */
function populationU(events: readonly IdentityEvent[]): number[][] {
  const matcher = createRecordMatcher({
    secret: 'not-used-for-u-0123456789',
    autoThreshold: 0.95,
    reviewThreshold: 0.5,
    maxCandidates: 200,
    maxBlockSize: 5000,
    householdAttributes: [],
  });
  const records = events.map((e, n) => matcher.toRecord(`r${n}`, e.source, e.attributes ?? {})!);
  return estimateU(records, DEFAULT_MODEL.comparisons, { mode: 'dedupe', maxPairs: 10_000_000 }).u;
}

async function cli(args: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    env,
  });
  return { code, stdout, stderr };
}

describe('u estimated from the graph', () => {
  it('waits for enough records, then estimates u from them as a new active version', async () => {
    const early = await trigger();
    expect(early).toMatchObject({ refreshed: false, reason: 'too_few_records', graphRecords: 0 });

    const jobs = await ingestAll(service, population.events, 500);
    expect(jobs.every((j) => j.state === 'completed')).toBe(true);
    const outcome = await trigger();
    const { active, records } = await readActiveModel(service.graph);
    expect(records).toBe(CUSTOMERS);
    expect(active).toMatchObject({
      base: DEFAULT_MODEL.version,
      graphRecords: CUSTOMERS,
      sampled: CUSTOMERS,
    });
    expect(active!.version).toMatch(/^default-person-v\d+\+u\d{8}T\d{6}Z$/);
    expect(active!.version.startsWith(`${DEFAULT_MODEL.version}+u`)).toBe(true);
    // The scheduler's own check may have come first; either way this version is the estimate.
    expect(outcome.version).toBe(active!.version);
    expect(['first_estimate', 'up_to_date']).toContain(outcome.reason);

    const stored = (await activeModelVersion(service.graph))!;
    expect(stored.file.uSource).toMatchObject({ kind: 'estimated', records: CUSTOMERS });
    // Fewer pairs than a million: every pair was counted, so u is the population's own.
    const allPairs = (CUSTOMERS * (CUSTOMERS - 1)) / 2;
    expect(stored.file.uSource).toMatchObject({ pairs: allPairs });
    const exact = populationU(population.events);
    const estimated = placeU(stored.file.model.comparisons);
    const builtIn = placeU(DEFAULT_MODEL.comparisons);
    const address = DEFAULT_MODEL.comparisons.findIndex((c) => c.attribute === 'address');
    expect(estimated.u).toBeCloseTo(exact[address]![estimated.index]!, 12);
    // Four towns share the customers: a random pair shares a place far more often than the
    // built-in value assumes.
    expect(estimated.u).toBeGreaterThan(2 * builtIn.u);
    // m, lambda, the comparisons and the blocking rules are the built-in model's.
    expect(stored.file.model.lambda).toBe(DEFAULT_MODEL.lambda);
    expect(stored.file.model.comparisons.map((c) => c.levels.map((l) => [l.when, l.m]))).toEqual(
      DEFAULT_MODEL.comparisons.map((c) => c.levels.map((l) => [l.when, l.m])),
    );
    // Common names are kept as term frequencies: the commonest first name is held by many.
    expect(stored.termFrequencies.firstName!.hashes.length).toBeGreaterThan(10);

    const show = await cli(['model', 'show']);
    expect(show.code, show.stderr).toBe(0);
    expect(show.stdout).toMatch(new RegExp(`^model +${active!.version.replace('+', '\\+')}$`, 'm'));
    expect(show.stdout).toMatch(
      new RegExp(`^u +estimated from 1,000 records at \\S+ \\(499,500 random pairs\\)$`, 'm'),
    );
    expect(show.stdout).toMatch(/^ +firstName +[\d,]+ common values stored/m);
  });

  it('links a returning customer under the new version, and explains the link', async () => {
    const { active } = await readActiveModel(service.graph);
    const person: RegionalPerson = population.persons[0]!;
    const returning = await ingest(service, [
      {
        id: 'shop-returning-1',
        source: 'shop',
        occurredAt: '2026-06-01T00:00:00Z',
        identifiers: [{ type: 'email', value: 'returning.customer@shop.example' }],
        attributes: {
          firstName: person.firstName,
          lastName: person.lastName,
          dateOfBirth: person.dateOfBirth,
          street: person.street,
          streetNumber: person.streetNumber,
          city: person.city,
          postcode: person.postcode,
        },
      },
    ]);
    expect(returning.state).toBe('completed');
    expect(returning.matching?.matched).toBe(1);
    const [resolved] = await resolve(service, [
      { type: 'email', value: 'returning.customer@shop.example' },
    ]);
    const links = await http(
      service.baseUrl,
      'GET',
      `/v1/persons/${resolved!.personId}/links`,
      undefined,
      personLinksSchema,
    );
    const link = links.body.links.find((l) => l.method === 'probabilistic')!;
    expect(link.modelVersion).toBe(active!.version);

    const explained = await http(
      service.baseUrl,
      'GET',
      `/v1/links/${link.id}/explain`,
      undefined,
      linkExplanationSchema,
    );
    expect(explained.status).toBe(200);
    const match = explained.body.match!;
    expect(explained.body.modelVersion).toBe(active!.version);
    const sum = match.comparisons.reduce((s, c) => s + c.weight, match.priorWeight);
    expect(sum).toBeCloseTo(match.matchWeight, 9);
    // The explanation shows the estimated u of the levels the pair reached.
    const stored = (await activeModelVersion(service.graph))!;
    const address = match.comparisons.find((c) => c.attribute === 'address')!;
    const storedAddress = stored.file.model.comparisons.find((c) => c.attribute === 'address')!;
    expect(address.u).toBe(storedAddress.levels[address.level]!.u);
    expect(JSON.stringify(explained.body)).not.toContain(person.lastName);
    expect(await invariants(service.graph)).toEqual(noViolations);
  });

  it('estimates again when the records doubled, keeping the customers apart', async () => {
    const before = (await readActiveModel(service.graph)).active!;
    const more = generateRegionalCustomers({
      customers: 2.2 * CUSTOMERS,
      cities: 4,
      identifierType: 'external_id',
      seed: 77,
    });
    // New customers only: a namesake of a first-wave customer with a birth date one typo away is
    // ambiguous to any matcher (it may be the same person), so those are left out.
    const name = (a: IdentityEvent['attributes']) =>
      `${String(a?.firstName)} ${String(a?.lastName)}`;
    const taken = new Set(population.events.map((e) => name(e.attributes)));
    // Event ids of their own: the event log would take the same ids for replays.
    const events = more.events
      .filter((e) => !taken.has(name(e.attributes)))
      .map((e) => ({ ...e, id: `second-${e.id}` }));
    const jobs = await ingestAll(service, events, 500);
    expect(jobs.every((j) => j.state === 'completed')).toBe(true);
    // Scored under the estimated model: no two different customers linked.
    expect(jobs.reduce((n, j) => n + (j.matching?.matched ?? 0), 0)).toBe(0);

    const outcome = await trigger();
    const { active } = await readActiveModel(service.graph);
    expect(active!.graphRecords).toBe(CUSTOMERS + 1 + events.length);
    // Enough of them to double the records.
    expect(events.length).toBeGreaterThanOrEqual(CUSTOMERS);
    expect(active!.version).not.toBe(before.version);
    expect(outcome.version).toBe(active!.version);
    expect(['doubled', 'up_to_date']).toContain(outcome.reason);

    // Nothing the graph keeps about models holds a name, a street or a town.
    const nodes = await service.graph.query<{ labels: string[]; properties: unknown }>(
      'read/model-nodes',
    );
    expect(nodes.map((n) => n.labels[0]).sort()).toEqual(
      expect.arrayContaining(['ActiveModel', 'MatchModel', 'TermFrequencies']),
    );
    // Tables of the active version and the one it replaced only.
    const tableVersions = new Set(
      nodes
        .filter((n) => n.labels.includes('TermFrequencies'))
        .map((n) => (n.properties as { version: string }).version),
    );
    expect([...tableVersions].sort()).toEqual([before.version, active!.version].sort());
    const stored = JSON.stringify(nodes.map((n) => n.properties));
    const values = new Set<string>();
    for (const p of [...population.persons, ...more.persons])
      for (const value of [p.firstName, p.lastName, p.street, p.city, p.dateOfBirth])
        values.add(value);
    // As a word: 'King' is a surname, and 'blocking' a word of the model's template.
    const asWord = (value: string) =>
      new RegExp(`\\b${value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\b`, 'i');
    for (const value of values) expect(stored).not.toMatch(asWord(value));
    expect((await totals(service.graph)).probabilisticLinks).toBe(1);
  });
});
