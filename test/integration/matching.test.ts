import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createMatcherSource } from '../../src/matching/model/matcher-source.js';
import {
  auditListSchema,
  linkExplanationSchema,
  personLinksSchema,
  reviewDecisionResultSchema,
  reviewListSchema,
} from '../../src/api/schemas.js';
import type { CypherName } from '../../src/graph/cypher-loader.js';
import type { Graph } from '../../src/graph/graph-client.js';
import { DEFAULT_MODEL } from '../../src/matching/model/default-model.js';
import { DEFAULT_HOUSEHOLD_ATTRIBUTES } from '../../src/matching/scoring/identity-evidence.js';
import { scorePair } from '../../src/matching/scoring/fellegi-sunter.js';
import { createLevelEvaluator } from '../../src/matching/scoring/level-evaluation.js';
import { normalizeRecord } from '../../src/matching/records/normalize-attributes.js';
import { createValueMemo } from '../../src/matching/records/value-memo.js';
import { createLogger } from '../../src/logger.js';
import { createRecordMatcher } from '../../src/matching/record-matcher.js';
import { ModelVersionConflictError, recordModel } from '../../src/matching/model/recorded-model.js';
import { identifierRegistry } from '../../src/resolver/resolver-config.js';
import { rescore } from '../../src/resolver/rescoring/rescore.js';
import { createResolverService, defaultMergeLimits } from '../../src/resolver/resolver-service.js';
import {
  clearGraph,
  event,
  http,
  ingest,
  invariants,
  noViolations,
  resolve,
  startService,
  type TestService,
} from './harness.js';
import {
  type Attributes,
  jonathan,
  jonathanTypo,
  maria,
  mariaElsewhere,
  peter,
  peterSwapped,
} from '../support/sample-people.js';

/**
 * Probabilistic matching through the whole pipeline: events with attributes -> queue -> resolver
 * (records, blocking, scoring) -> graph -> API. The service runs the built-in default model with an
 * auto threshold of 0.999 and a review band from 0.05, and each scenario checks its pair's
 * probability with the same model first, so a model change cannot silently move a pair out of the
 * band a scenario is about.
 */

const AUTO = 0.999;
const REVIEW = 0.05;

let service: TestService;

beforeAll(async () => {
  service = await startService({
    MATCH_AUTO_THRESHOLD: String(AUTO),
    MATCH_REVIEW_THRESHOLD: String(REVIEW),
  });
});
afterAll(async () => {
  await service?.close();
});
beforeEach(async () => {
  await clearGraph(service.graph);
});

/** The pair's score under the service's model, as scored offline. */
const offline = createLevelEvaluator(createValueMemo());
const score = (a: Attributes, b: Attributes) =>
  scorePair(
    DEFAULT_MODEL,
    normalizeRecord({ id: 'a', attributes: a as Record<string, string> }),
    normalizeRecord({ id: 'b', attributes: b as Record<string, string> }),
    offline,
  );
const probability = (a: Attributes, b: Attributes) => score(a, b).probability;

const email = (value: string) => ({ type: 'email', value });

async function personLinks(personId: string) {
  const answer = await http(
    service.baseUrl,
    'GET',
    `/v1/persons/${personId}/links`,
    undefined,
    personLinksSchema,
  );
  expect(answer.status).toBe(200);
  return answer.body.links;
}

async function pendingReviews() {
  const answer = await http(
    service.baseUrl,
    'GET',
    '/v1/reviews?status=pending',
    undefined,
    reviewListSchema,
  );
  expect(answer.status).toBe(200);
  return answer.body.items;
}

describe('probabilistic matching', () => {
  it('links a typo’d duplicate from another source with its probability, and explains it', async () => {
    const p = probability(jonathan, jonathanTypo);
    expect(p).toBeGreaterThanOrEqual(AUTO);

    const first = await ingest(service, [
      event([email('jw@crm.example')], { source: 'crm', attributes: jonathan }),
    ]);
    expect(first.state).toBe('completed');
    const second = await ingest(service, [
      event([email('jonathon.w@shop.example')], { source: 'shop', attributes: jonathanTypo }),
    ]);
    expect(second.state).toBe('completed');
    // The job reports the candidates its record had and what came of them.
    expect(second.matching).toEqual({
      records: 1,
      candidates: 1,
      capped: 0,
      scored: 1,
      matched: 1,
      reviews: 0,
      identityHeld: 0,
      consentDenied: 0,
      byRule: {},
    });

    const [a, b] = await resolve(service, [
      email('jw@crm.example'),
      email('jonathon.w@shop.example'),
    ]);
    expect(a!.personId).toBe(b!.personId);
    // Unscoped, membership answers with confidence 1; the match probability is the link's.
    expect(b!.confidence).toBe(1);

    const links = await personLinks(a!.personId!);
    expect(links).toHaveLength(1);
    const link = links[0]!;
    expect(link).toMatchObject({
      status: 'active',
      method: 'probabilistic',
      rule: 'fellegi_sunter',
      modelVersion: DEFAULT_MODEL.version,
      sources: ['shop'],
    });
    expect(link.confidence).toBeCloseTo(p, 12);

    const explained = await http(
      service.baseUrl,
      'GET',
      `/v1/links/${link.id}/explain`,
      undefined,
      linkExplanationSchema,
    );
    expect(explained.status).toBe(200);
    const match = explained.body.match!;
    expect(explained.body.modelVersion).toBe(DEFAULT_MODEL.version);
    expect(explained.body.recordIds).toHaveLength(2);
    expect(match.probability).toBeCloseTo(p, 12);
    // The contributions add up to the weight, and the weight gives the probability.
    const sum = match.comparisons.reduce((s, c) => s + c.weight, match.priorWeight);
    expect(sum).toBeCloseTo(match.matchWeight, 9);
    expect(2 ** sum / (1 + 2 ** sum)).toBeCloseTo(p, 9);
    // What the link stores (levels, adjustments) and the model's recorded template give back the
    // pair's score exactly as the model computes it.
    const offline = score(jonathanTypo, jonathan);
    expect(match.matchWeight).toBe(offline.matchWeight);
    expect(match.priorWeight).toBe(offline.priorWeight);
    expect(match.comparisons).toEqual(offline.vector);
    const first_ = match.comparisons.find((c) => c.comparison === 'firstName')!;
    expect(first_.level).toBeGreaterThan(0); // not exact: the typo shows
    expect(match.comparisons.find((c) => c.comparison === 'dateOfBirth')!.label).toBe('exact');
    // No attribute value is in the explanation.
    expect(JSON.stringify(explained.body)).not.toMatch(/Jonath|Whitfield|1984/);

    expect(await invariants(service.graph)).toEqual(noViolations);
  });

  it('puts a review-band pair in the review queue, and a match decision joins the persons', async () => {
    const p = probability(maria, mariaElsewhere);
    expect(p).toBeGreaterThanOrEqual(REVIEW);
    expect(p).toBeLessThan(AUTO);

    await ingest(service, [
      event([email('maria@crm.example')], { source: 'crm', attributes: maria }),
      event([email('mk90@shop.example')], { source: 'shop', attributes: mariaElsewhere }),
    ]);
    const before = await resolve(service, [email('maria@crm.example'), email('mk90@shop.example')]);
    expect(before[0]!.personId).not.toBe(before[1]!.personId);

    const reviews = await pendingReviews();
    expect(reviews).toHaveLength(1);
    const review = reviews[0]!;
    expect(review.probability).toBeCloseTo(p, 12);
    const offline = score(maria, mariaElsewhere);
    expect(review.explanation).toEqual({
      modelVersion: DEFAULT_MODEL.version,
      probability: offline.probability,
      matchWeight: offline.matchWeight,
      priorWeight: offline.priorWeight,
      comparisons: offline.vector,
    });
    expect(review.modelVersion).toBe(DEFAULT_MODEL.version);
    expect(review.records.map((r) => r.source).sort()).toEqual(['crm', 'shop']);
    expect(review.records.map((r) => r.personId ?? '').sort()).toEqual(
      before.map((r) => r.personId).sort(),
    );

    // Deciding needs audit:write.
    const denied = await http(
      service.baseUrl,
      'POST',
      `/v1/reviews/${review.id}/decision`,
      { decision: 'match' },
      undefined,
      'test-reader-key-0123456789',
    );
    expect(denied.status).toBe(403);

    const decided = await http(
      service.baseUrl,
      'POST',
      `/v1/reviews/${review.id}/decision`,
      { decision: 'match', reason: 'same customer, moved' },
      reviewDecisionResultSchema,
    );
    expect(decided.status).toBe(200);
    const after = await resolve(service, [email('maria@crm.example'), email('mk90@shop.example')]);
    expect(after[0]!.personId).toBe(after[1]!.personId);
    expect(decided.body.personIds[0]).toBe(after[0]!.personId);

    const links = await personLinks(after[0]!.personId!);
    expect(links).toHaveLength(1);
    expect(links[0]).toMatchObject({ method: 'manual', rule: 'review_decision', confidence: 1 });

    expect(await pendingReviews()).toHaveLength(0);
    const again = await http(service.baseUrl, 'POST', `/v1/reviews/${review.id}/decision`, {
      decision: 'no_match',
    });
    expect(again.status).toBe(409);
    expect(again.headers.get('content-type')).toContain('application/problem+json');

    const audit = await http(
      service.baseUrl,
      'GET',
      '/v1/audit?kind=review_decision',
      undefined,
      auditListSchema,
    );
    expect(audit.body.records).toHaveLength(1);
    expect(audit.body.records[0]).toMatchObject({
      reviewId: review.id,
      decision: 'match',
      actor: 'test-admin',
      linkId: links[0]!.id,
    });
    // The free-text reason stays out of the audit trail.
    expect(JSON.stringify(audit.body)).not.toContain('moved');
    const merges = await http(
      service.baseUrl,
      'GET',
      '/v1/audit?kind=merge',
      undefined,
      auditListSchema,
    );
    expect(merges.body.records).toHaveLength(1);
    expect(merges.body.records[0]).toMatchObject({ method: 'manual', rule: 'review_decision' });
    expect(await invariants(service.graph)).toEqual(noViolations);
  });

  it('a no-match decision keeps the two apart for good, whatever links them later', async () => {
    const p = probability(peter, peterSwapped);
    expect(p).toBeGreaterThanOrEqual(REVIEW);
    expect(p).toBeLessThan(AUTO);

    await ingest(service, [
      event([email('peter@crm.example')], { source: 'crm', attributes: peter }),
      event([email('pl75@shop.example')], { source: 'shop', attributes: peterSwapped }),
    ]);
    const [review] = await pendingReviews();
    expect(review).toBeDefined();
    const decided = await http(
      service.baseUrl,
      'POST',
      `/v1/reviews/${review!.id}/decision`,
      { decision: 'no_match', reason: 'twins' },
      reviewDecisionResultSchema,
    );
    expect(decided.status).toBe(200);
    expect(decided.body.personIds).toHaveLength(2);

    // An event carries both emails together, then a record on the first email that is identical
    // to the second scores far above the auto threshold: neither may join the two.
    await ingest(service, [
      event([email('peter@crm.example'), email('pl75@shop.example')], { source: 'web' }),
    ]);
    await ingest(service, [
      event([email('peter@crm.example')], { source: 'pos', attributes: peterSwapped }),
    ]);
    const after = await resolve(service, [email('peter@crm.example'), email('pl75@shop.example')]);
    expect(after[0]!.personId).not.toBe(after[1]!.personId);

    const refused = await http(
      service.baseUrl,
      'GET',
      '/v1/audit?kind=merge_refused',
      undefined,
      auditListSchema,
    );
    expect(refused.body.records.length).toBeGreaterThanOrEqual(1);
    expect(refused.body.records.every((r) => r.reason === 'no_match_decision')).toBe(true);
    // One record per refused pair: the co-occurrence came first.
    expect(refused.body.records.map((r) => r.method)).toEqual(['deterministic']);
    // The decided pair does not come back to the queue.
    expect(await pendingReviews()).toHaveLength(0);
    expect(await invariants(service.graph)).toEqual(noViolations);
  });

  /** A resolver of its own on the test graph, with the default model and these settings. */
  function resolverWith(settings: { mode?: 'link'; maxCandidates?: number }) {
    const matcher = createRecordMatcher({
      modelFile: { model: DEFAULT_MODEL, ...(settings.mode ? { mode: settings.mode } : {}) },
      secret: 'integration-test-secret',
      autoThreshold: AUTO,
      reviewThreshold: REVIEW,
      maxCandidates: settings.maxCandidates ?? 200,
      maxBlockSize: 5000,
      householdAttributes: DEFAULT_HOUSEHOLD_ATTRIBUTES,
    });
    // No candidate cache: what the graph answers is all it knows.
    return createResolverService({
      graph: service.graph,
      registry: identifierRegistry(service.config),
      limits: defaultMergeLimits,
      evidenceKept: 20,
      matchers: createMatcherSource(matcher),
      logger: createLogger('silent'),
    });
  }

  it('in link mode scores records across sources only, within a batch and against the graph', async () => {
    const resolver = resolverWith({ mode: 'link' });
    const first = await resolver.resolveBatch('job-link-1', [
      event([email('jw@crm.example')], { source: 'crm', attributes: jonathan }),
      event([email('jw2@crm.example')], { source: 'crm', attributes: jonathanTypo }),
      event([email('jonathon.w@shop.example')], { source: 'shop', attributes: jonathanTypo }),
    ]);
    // Each crm record has the shop record as its one candidate, the shop record both crm ones:
    // two pairs scored, the two crm records never compared.
    expect(first.matching).toMatchObject({ records: 3, candidates: 4, scored: 2, matched: 2 });
    const second = await resolver.resolveBatch('job-link-2', [
      event([email('j.whitfield@crm.example')], { source: 'crm', attributes: jonathan }),
    ]);
    // Against the graph: the shop record only, not the two crm records sharing its blocks.
    expect(second.matching).toMatchObject({ records: 1, candidates: 1, scored: 1, matched: 1 });
    const persons = await resolve(service, [
      email('jw@crm.example'),
      email('jw2@crm.example'),
      email('jonathon.w@shop.example'),
      email('j.whitfield@crm.example'),
    ]);
    expect(new Set(persons.map((p) => p.personId)).size).toBe(1);
    expect(await invariants(service.graph)).toEqual(noViolations);
  });

  it('beyond the cap scores the candidates of the earliest blocking rules', async () => {
    const resolver = resolverWith({ maxCandidates: 2 });
    // Candidates of a later Jonathan, each by a different earliest rule: all of his names and
    // details (rule 0, names), his surname and birth year (rule 1), his birth date only (rule 6).
    await resolver.resolveBatch('job-cap-1', [
      event([email('zed@crm.example')], {
        source: 'crm',
        attributes: { firstName: 'Zed', lastName: 'Quorra', dateOfBirth: '1984-03-17' },
      }),
    ]);
    await resolver.resolveBatch('job-cap-2', [
      event([email('xavier@crm.example')], {
        source: 'crm',
        attributes: { firstName: 'Xavier', lastName: 'Whitfield', dateOfBirth: '1984-03-17' },
      }),
    ]);
    await resolver.resolveBatch('job-cap-3', [
      event([email('jw@crm.example')], { source: 'crm', attributes: jonathan }),
    ]);
    const later = await resolver.resolveBatch('job-cap-4', [
      event([email('jonathon.w@shop.example')], { source: 'shop', attributes: jonathanTypo }),
    ]);
    // Three candidates, two scored: Jonathan's record (rule 0) and Xavier's (rule 1), not Zed's.
    expect(later.matching).toMatchObject({ records: 1, candidates: 3, capped: 1, scored: 2 });
    // The one cut shows under the rule that found it.
    expect(later.matching.byRule).toEqual({
      dob: { skippedBlocks: 0, cappedRecords: 1, cutCandidates: 1 },
    });
    const [jw, shop, zed] = await resolve(service, [
      email('jw@crm.example'),
      email('jonathon.w@shop.example'),
      email('zed@crm.example'),
    ]);
    expect(shop!.personId).toBe(jw!.personId);
    expect(zed!.personId).not.toBe(jw!.personId);
  });

  /**
   * Batch A (crm) reads and scores its candidates, then waits, before it takes the matching clock,
   * until batch B (shop, a duplicate of A's record) has been resolved and committed from start to
   * end. Returns both outcomes.
   */
  async function raceTwoBatches(
    options: {
      maxBlockSize?: number;
      matchLogKept?: number;
      attributes?: readonly [Attributes, Attributes];
    } = {},
  ) {
    const [attributesA, attributesB] = options.attributes ?? [jonathan, jonathanTypo];
    const matcher = createRecordMatcher({
      modelFile: { model: DEFAULT_MODEL },
      secret: 'integration-test-secret',
      autoThreshold: AUTO,
      reviewThreshold: REVIEW,
      maxCandidates: 200,
      maxBlockSize: options.maxBlockSize ?? 5000,
      householdAttributes: DEFAULT_HOUSEHOLD_ATTRIBUTES,
    });
    const resolverOn = (graph: Pick<Graph, 'writeTransaction'>) =>
      createResolverService({
        graph,
        registry: identifierRegistry(service.config),
        limits: defaultMergeLimits,
        evidenceKept: 20,
        matchers: createMatcherSource(matcher),
        ...(options.matchLogKept === undefined ? {} : { matchLogKept: options.matchLogKept }),
        logger: createLogger('silent'),
      });
    let arrived!: () => void;
    const atLock = new Promise<void>((resolve_) => (arrived = resolve_));
    let release!: () => void;
    const released = new Promise<void>((resolve_) => (release = resolve_));
    const held: Pick<Graph, 'writeTransaction'> = {
      writeTransaction: (name, work) =>
        service.graph.writeTransaction(name, (tx) =>
          work({
            run: async <T extends object>(
              statement: CypherName,
              params?: Record<string, unknown>,
            ) => {
              if (statement === 'write/lock-matching') {
                arrived();
                await released;
              }
              return tx.run<T>(statement, params);
            },
          }),
        ),
    };
    const a = resolverOn(held).resolveBatch('job-a', [
      event([email('jw@crm.example')], { source: 'crm', attributes: attributesA }),
    ]);
    await atLock;
    const b = await resolverOn(service.graph).resolveBatch('job-b', [
      event([email('jonathon.w@shop.example')], { source: 'shop', attributes: attributesB }),
    ]);
    release();
    return { a: await a, b };
  }

  const together = async () => {
    const [left, right] = await resolve(service, [
      email('jw@crm.example'),
      email('jonathon.w@shop.example'),
    ]);
    return { left: left!, right: right! };
  };

  it('two batches resolving at once still find each other: the one committing second looks again', async () => {
    expect(probability(jonathan, jonathanTypo)).toBeGreaterThanOrEqual(AUTO);
    const { a, b } = await raceTwoBatches();
    // B committed first, without A's record: A's was not committed when B read.
    expect(b.matching).toMatchObject({ records: 1, candidates: 0, scored: 0, matched: 0 });
    // A's first read could not see B's record either; under the clock it finds B's record in the
    // matching log and scores the pair: once, by A.
    expect(a.matching).toMatchObject({ records: 1, candidates: 1, scored: 1, matched: 1 });

    const { left, right } = await together();
    expect(left.personId).toBe(right.personId);
    expect(await personLinks(left.personId!)).toEqual([
      expect.objectContaining({ status: 'active', method: 'probabilistic' }),
    ]);
    expect(await invariants(service.graph)).toEqual(noViolations);
  });

  it('a batch that saw the clock before the log was pruned reads its blocks again', async () => {
    // One entry kept: B's entry is gone by the time A reads the log, so A must read the graph.
    const { a, b } = await raceTwoBatches({ matchLogKept: 1 });
    expect(b.matching).toMatchObject({ candidates: 0, matched: 0 });
    expect(a.matching).toMatchObject({ records: 1, candidates: 1, scored: 1, matched: 1 });
    const { left, right } = await together();
    expect(left.personId).toBe(right.personId);
    expect(await invariants(service.graph)).toEqual(noViolations);
  });

  it('reading the blocks again finds a candidate under any rule, not only the first', async () => {
    // The two records share one key only, under the last default rule (birth date): names,
    // postcodes and streets all differ. The log is pruned, so A finds B by reading that block.
    const annabel: Attributes = {
      firstName: 'Annabel',
      lastName: 'Ostrowski',
      dateOfBirth: '1961-08-30',
      street: 'Elm Road',
      streetNumber: '7',
      postcode: '4000',
    };
    const gregory: Attributes = {
      firstName: 'Gregory',
      lastName: 'Haddad',
      dateOfBirth: '1961-08-30',
      street: 'Quay Lane',
      streetNumber: '19',
      postcode: '7250',
    };
    const { a, b } = await raceTwoBatches({ matchLogKept: 1, attributes: [annabel, gregory] });
    expect(b.matching).toMatchObject({ candidates: 0, matched: 0 });
    expect(a.matching).toMatchObject({ records: 1, candidates: 1, scored: 1, matched: 0 });
  });

  it('what the log adds never takes a block past the block size limit', async () => {
    // Every block A's record is in holds A alone when A reads it; B's record makes two, more than
    // the limit of one: too common, skipped, however A learns of B.
    const { a, b } = await raceTwoBatches({ maxBlockSize: 1 });
    expect(b.matching).toMatchObject({ candidates: 0, matched: 0, byRule: {} });
    expect(a.matching).toMatchObject({ records: 1, candidates: 0, scored: 0, matched: 0 });
    // Skipped under the clock, and counted there: at least the blocks of the same surname and
    // birth year, and of the same birth date.
    expect(a.matching.byRule).toMatchObject({
      surname_dm_yob: { skippedBlocks: 1 },
      dob: { skippedBlocks: 1 },
    });
    const { left, right } = await together();
    expect(left.personId).not.toBe(right.personId);
  });

  it('refuses a model whose version the graph records with other parameters', async () => {
    await recordModel(service.graph, DEFAULT_MODEL);
    // The same model again is fine; other parameters under its version are not.
    await recordModel(service.graph, { ...DEFAULT_MODEL });
    await expect(
      recordModel(service.graph, { ...DEFAULT_MODEL, lambda: DEFAULT_MODEL.lambda / 2 }),
    ).rejects.toBeInstanceOf(ModelVersionConflictError);
  });

  it('does not match records whose events refuse identity_linking', async () => {
    await ingest(service, [
      event([email('jw@crm.example')], { source: 'crm', attributes: jonathan }),
      event([email('jw2@shop.example')], {
        source: 'shop',
        attributes: jonathanTypo,
        consent: { purposes: { identity_linking: false } },
      }),
    ]);
    const [a, b] = await resolve(service, [email('jw@crm.example'), email('jw2@shop.example')]);
    expect(a!.personId).not.toBe(b!.personId);
    expect(await pendingReviews()).toHaveLength(0);
  });

  it('rescore with a stricter model withdraws the link and splits the person; the old model joins them again', async () => {
    await ingest(service, [
      event([email('jw@crm.example')], { source: 'crm', attributes: jonathan }),
      event([email('jonathon.w@shop.example')], { source: 'shop', attributes: jonathanTypo }),
    ]);
    const together = await resolve(service, [
      email('jw@crm.example'),
      email('jonathon.w@shop.example'),
    ]);
    expect(together[0]!.personId).toBe(together[1]!.personId);

    // The same comparisons with a prior so low that no pair reaches the auto threshold.
    const strict = { ...DEFAULT_MODEL, version: 'strict-v2', lambda: 1e-30 };
    const rescoreWith = (model: typeof DEFAULT_MODEL) => {
      const matcher = createRecordMatcher({
        modelFile: { model },
        secret: 'integration-test-secret',
        autoThreshold: AUTO,
        reviewThreshold: REVIEW,
        maxCandidates: 200,
        maxBlockSize: 5000,
        householdAttributes: DEFAULT_HOUSEHOLD_ATTRIBUTES,
      });
      const logger = createLogger('silent');
      const resolver = createResolverService({
        graph: service.graph,
        registry: identifierRegistry(service.config),
        limits: defaultMergeLimits,
        evidenceKept: 20,
        matchers: createMatcherSource(matcher),
        logger,
      });
      return rescore({ graph: service.graph, resolver, modelVersion: model.version, logger });
    };

    const first = await rescoreWith(strict);
    expect(first).toMatchObject({ linksChecked: 1, linksWithdrawn: 1, personsSplit: 1, merges: 0 });
    const apart = await resolve(service, [
      email('jw@crm.example'),
      email('jonathon.w@shop.example'),
    ]);
    expect(apart[0]!.personId).not.toBe(apart[1]!.personId);
    // One part keeps the person id downstream services stored (the part with the oldest identifier).
    expect(apart.map((r) => r.personId)).toContain(together[0]!.personId);
    const kinds = await http(service.baseUrl, 'GET', '/v1/audit', undefined, auditListSchema);
    expect(kinds.body.records.map((r) => r.kind)).toEqual(
      expect.arrayContaining(['link_withdrawn', 'split']),
    );
    expect(await invariants(service.graph)).toEqual(noViolations);

    // Rescoring again with the same model changes nothing.
    expect(await rescoreWith(strict)).toMatchObject({ linksChecked: 0, merges: 0, pairsLinked: 0 });

    // Back to the default model: the records score above the threshold again and join.
    const back = await rescoreWith(DEFAULT_MODEL);
    expect(back).toMatchObject({ pairsLinked: 1, merges: 1 });
    const joined = await resolve(service, [
      email('jw@crm.example'),
      email('jonathon.w@shop.example'),
    ]);
    expect(joined[0]!.personId).toBe(joined[1]!.personId);
    const links = await personLinks(joined[0]!.personId!);
    expect(links).toEqual([
      expect.objectContaining({ status: 'active', modelVersion: DEFAULT_MODEL.version }),
    ]);
    expect(await invariants(service.graph)).toEqual(noViolations);
  });
});
