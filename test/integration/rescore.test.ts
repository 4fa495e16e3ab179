import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { IdentityEvent } from '../../src/events/event-schema.js';
import { createMatcherSource } from '../../src/matching/model/matcher-source.js';
import { createLogger } from '../../src/logger.js';
import { DEFAULT_MODEL } from '../../src/matching/model/default-model.js';
import { createRecordMatcher } from '../../src/matching/record-matcher.js';
import type { FellegiSunterModel } from '../../src/matching/scoring/fellegi-sunter.js';
import { createCandidateCache } from '../../src/resolver/record-matching/candidate-cache.js';
import { identifierRegistry } from '../../src/resolver/resolver-config.js';
import { createResolverService } from '../../src/resolver/resolver-service.js';
import { type RescoreReport, rescore } from '../../src/resolver/rescoring/rescore.js';
import { canonicalPartition } from '../support/identity-generator.js';
import { generateReturningHouseholds } from '../support/regional-population.js';
import {
  clearGraph,
  invariants,
  noViolations,
  partitionOf,
  startService,
  type TestService,
} from './harness.js';

/**
 * `idgraph model rescore` next to live ingestion: a graph resolved with one model is rescored with
 * another while a stream of events is resolved with the new one (as workers restarted on it
 * would), and must end with the partition that rescoring first and ingesting the stream after
 * gives. Without merge limits, so that the partition is the connected components of what the new
 * model links and does not depend on the order joins arrive in; every pair must have been scored
 * by the new model, by the rescore or by the stream's batch.
 */

let service: TestService;

beforeAll(async () => {
  service = await startService({}, 'api');
});
afterAll(async () => {
  await service?.close();
});
beforeEach(async () => {
  await clearGraph(service.graph);
});

const logger = createLogger('silent');
const IDENTITY = new Set(['firstName', 'lastName', 'dateOfBirth', 'gender']);

/** The model with every level of the comparisons `ignored` selects at m = u: they count for nothing. */
function ignoring(
  model: FellegiSunterModel,
  version: string,
  ignored: (attribute: string) => boolean,
  lambda = model.lambda,
): FellegiSunterModel {
  return {
    version,
    lambda,
    comparisons: model.comparisons.map((c) =>
      ignored(c.attribute) ? { ...c, levels: c.levels.map((l) => ({ ...l, m: l.u })) } : c,
    ),
  };
}

/** The old model links on address and surname; the new one on identity alone. */
const OLD = ignoring(
  DEFAULT_MODEL,
  'it-old',
  (a) => a === 'firstName' || a === 'dateOfBirth',
  // A shared address counts once in the default model: the old model's prior makes it enough.
  1e-2,
);
const NEW = ignoring(DEFAULT_MODEL, 'it-new', (a) => !IDENTITY.has(a));
/** Links nothing: a graph of records no pair of which is linked yet. */
const NOTHING = { ...DEFAULT_MODEL, version: 'it-nothing', lambda: 1e-30 };

function resolverFor(model: FellegiSunterModel, mode?: 'link') {
  const matcher = createRecordMatcher({
    modelFile: { model, ...(mode ? { mode } : {}) },
    secret: 'integration-test-secret',
    autoThreshold: 0.95,
    reviewThreshold: 0.5,
    maxCandidates: 200,
    maxBlockSize: 5000,
    // The old model links on what a household shares on purpose: identity evidence off.
    householdAttributes: [],
  });
  const candidateCache = createCandidateCache({ maxEntries: 10_000, ttlMs: 600_000 });
  const resolver = createResolverService({
    graph: service.graph,
    registry: identifierRegistry(service.config),
    limits: {},
    evidenceKept: 20,
    matchers: createMatcherSource(matcher),
    candidateCache,
    logger,
  });
  return { resolver, close: () => candidateCache.close() };
}

const batches = (events: readonly IdentityEvent[], size: number) =>
  Array.from({ length: Math.ceil(events.length / size) }, (_, i) =>
    events.slice(i * size, i * size + size),
  );

/**
 * Resolves `base` with `before`, then rescores with `after` while the stream is resolved with
 * `after` (`concurrent`), or rescores first and resolves the stream once it is done. The stream's
 * batches are paced by the rescore's pages, so that they land in both of its passes.
 */
async function run(
  models: { before: FellegiSunterModel; after: FellegiSunterModel },
  events: { base: IdentityEvent[]; stream: IdentityEvent[] },
  concurrent: boolean,
): Promise<{ partition: string[]; report: RescoreReport; during: number }> {
  await clearGraph(service.graph);
  const old = resolverFor(models.before);
  const current = resolverFor(models.after);
  try {
    for (const [n, batch] of batches(events.base, 50).entries())
      await old.resolver.resolveBatch(`base-${n}`, batch);
    let pages = 0;
    let wake = () => {};
    let rescoring = true;
    const rescored = rescore(
      {
        graph: service.graph,
        resolver: current.resolver,
        modelVersion: models.after.version,
        logger,
      },
      {
        pageSize: 10,
        concurrency: 2,
        onProgress: () => {
          pages += 1;
          wake();
        },
      },
    ).finally(() => {
      rescoring = false;
      wake();
    });
    if (!concurrent) await rescored;
    let during = 0;
    for (const [n, batch] of batches(events.stream, 4).entries()) {
      // One batch per page of the rescore, while it runs.
      while (rescoring && pages < n) await new Promise<void>((resolve) => (wake = resolve));
      const outcome = await current.resolver.resolveBatch(`stream-${n}`, batch);
      expect(outcome.applied).toBe(batch.length);
      if (rescoring) during += 1;
    }
    const report = await rescored;
    expect(await invariants(service.graph)).toEqual(noViolations);
    return { partition: canonicalPartition(await partitionOf(service.graph)), report, during };
  } finally {
    old.close();
    current.close();
  }
}

/** Households of 2-4; half of the persons again from a shop with a typo, some before, some after. */
function population() {
  const { events } = generateReturningHouseholds({ households: 50, returningShare: 0.5, seed: 22 });
  const crm = events.filter((e) => e.source === 'crm');
  const shop = events.filter((e) => e.source === 'shop');
  const half = Math.floor(shop.length / 2);
  return { base: [...crm, ...shop.slice(0, half)], stream: shop.slice(half) };
}

/** Persons holding identifiers of more than one event: what probabilistic links joined. */
const joined = (partition: readonly string[]) =>
  partition.filter((person) => person.split('|').length > 2).length;

describe('idgraph model rescore while events are ingested', () => {
  it('withdraws and keeps links next to the stream, ending as rescoring before it would', async () => {
    const events = population();
    const models = { before: OLD, after: NEW };
    const concurrent = await run(models, events, true);
    const sequential = await run(models, events, false);
    expect(concurrent.during).toBeGreaterThan(0);
    expect(concurrent.report.linksChecked).toBeGreaterThan(0);
    expect(sequential.report.linksChecked).toBe(concurrent.report.linksChecked);
    expect(joined(sequential.partition)).toBeGreaterThan(0);
    expect(concurrent.partition).toEqual(sequential.partition);
  });

  it('joins what the new model links among stored records next to the stream, as before it', async () => {
    const events = population();
    const models = { before: NOTHING, after: NEW };
    const concurrent = await run(models, events, true);
    const sequential = await run(models, events, false);
    expect(concurrent.during).toBeGreaterThan(0);
    expect(sequential.report.pairsLinked).toBeGreaterThan(0);
    expect(sequential.report.merges).toBeGreaterThan(0);
    expect(concurrent.partition).toEqual(sequential.partition);
  });

  it('in link mode scores stored records across sources only', async () => {
    const attributes = {
      firstName: 'Jonathan',
      lastName: 'Whitfield',
      dateOfBirth: '1984-03-17',
      postcode: '2612',
    };
    const events: IdentityEvent[] = ['crm', 'crm', 'shop'].map((source, n) => ({
      id: `e${n}`,
      source,
      occurredAt: new Date(Date.UTC(2026, 0, 1, 0, 0, n)).toISOString(),
      identifiers: [{ type: 'email', value: `jw${n}@${source}.example` }],
      attributes: n === 2 ? { ...attributes, firstName: 'Jonathon' } : attributes,
    }));
    const old = resolverFor(NOTHING, 'link');
    const current = resolverFor({ ...DEFAULT_MODEL, version: 'it-link' }, 'link');
    try {
      await old.resolver.resolveBatch('link-base', events);
      const report = await rescore(
        { graph: service.graph, resolver: current.resolver, modelVersion: 'it-link', logger },
        { pageSize: 2 },
      );
      // The shop record against each crm record; the two crm records never against each other.
      expect(report).toMatchObject({ recordsScored: 3, pairsScored: 2, pairsLinked: 2, merges: 2 });
      const partition = canonicalPartition(await partitionOf(service.graph));
      expect(partition).toEqual([
        'email:jw0@crm.example|email:jw1@crm.example|email:jw2@shop.example',
      ]);
    } finally {
      old.close();
      current.close();
    }
  });
});
