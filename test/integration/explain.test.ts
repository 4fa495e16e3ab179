import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { explanationSchema } from '../../src/api/explain-schemas.js';
import { reviewListSchema } from '../../src/api/schemas.js';
import { DEFAULT_MODEL } from '../../src/matching/model/default-model.js';
import { normalizeRecord } from '../../src/matching/records/normalize-attributes.js';
import { createValueMemo } from '../../src/matching/records/value-memo.js';
import { scorePair } from '../../src/matching/scoring/fellegi-sunter.js';
import { createLevelEvaluator } from '../../src/matching/scoring/level-evaluation.js';
import { privacyRequestAcceptedSchema } from '../../src/privacy/privacy-contract.js';
import { testGraph, waitForRequest } from '../support/privacy.js';
import { ADMIN_KEY, event, http, ingest, resolve, serviceForTests, testKeys } from './harness.js';
import {
  type Attributes,
  jonathan,
  jonathanStreet,
  jonathanTypo,
  maria,
  mariaElsewhere,
  peter,
} from '../support/sample-people.js';

/**
 * POST /v1/explain on the real service: a same-person path picks the fewest links, then the most
 * confident; each why-not code comes from a scenario built the way users build it (events through
 * the queue, review decisions and privacy requests through the API; a keep-apart split's
 * constraint, which the manual operations write, by a test statement in their documented shape).
 */

const AUTO = 0.999;
const REVIEW = 0.05;
const AUDITOR_KEY = 'test-auditor-key-0123456789';

const service = serviceForTests({
  MATCH_AUTO_THRESHOLD: String(AUTO),
  MATCH_REVIEW_THRESHOLD: String(REVIEW),
  IDGRAPH_API_KEYS: JSON.stringify([
    ...testKeys,
    { name: 'test-auditor', key: AUDITOR_KEY, scopes: ['audit:read'] },
  ]),
});

let extra: ReturnType<typeof testGraph>;
beforeAll(() => {
  extra = testGraph(service().config);
});
afterAll(async () => {
  await extra?.close();
});

type Id = { type: string; value: string };
const email = (value: string): Id => ({ type: 'email', value });
const userId = (value: string): Id => ({ type: 'user_id', value });

const offline = createLevelEvaluator(createValueMemo());
const score = (a: Attributes, b: Attributes) =>
  scorePair(
    DEFAULT_MODEL,
    normalizeRecord({ id: 'a', attributes: a as Record<string, string> }),
    normalizeRecord({ id: 'b', attributes: b as Record<string, string> }),
    offline,
  );

async function explain(a: Id, b: Id, key = ADMIN_KEY) {
  const answer = await http(service().baseUrl, 'POST', '/v1/explain', { a, b }, undefined, key);
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  return explanationSchema.parse(answer.body);
}

async function apart(a: Id, b: Id, key = ADMIN_KEY) {
  const answer = await explain(a, b, key);
  if (answer.samePerson) throw new Error('expected two persons');
  return answer;
}

async function personOf(id: Id): Promise<string> {
  const [result] = await resolve(service(), [id]);
  return result!.personId!;
}

const codes = (reasons: { code: string }[]) => reasons.map((r) => r.code).sort();

async function privacyRequest(body: Record<string, unknown>) {
  const answer = await http(service().baseUrl, 'POST', '/v1/privacy/requests', {
    reason: 'ticket PRIV-24',
    ...body,
  });
  expect(answer.status, JSON.stringify(answer.body)).toBe(202);
  const { id } = privacyRequestAcceptedSchema.parse(answer.body);
  const view = await waitForRequest(service().baseUrl, id, ADMIN_KEY);
  expect(view.status, JSON.stringify(view.failure)).toBe('completed');
}

describe('POST /v1/explain: same person', () => {
  it('answers the path with the fewest links, and among those the most confident', async () => {
    const [a, b, y, z, c, d] = ['a', 'b', 'y', 'z', 'c', 'd'].map((n) =>
      email(`${n}@path.example`),
    ) as [Id, Id, Id, Id, Id, Id];
    const weaker = score(jonathan, jonathanTypo).probability;
    const stronger = score(jonathan, jonathanStreet).probability;
    expect(weaker).toBeGreaterThanOrEqual(AUTO);
    expect(stronger).toBeGreaterThan(weaker);

    // b's record matches y's (less probable) and z's (more probable): two paths of two links from a
    // (a-y-b, a-z-b); a three-link path of deterministic links (confidence 1) is longer.
    await ingest(service(), [event([b], { source: 'crm', attributes: jonathan })]);
    await ingest(service(), [event([y], { source: 'shop', attributes: jonathanTypo })]);
    await ingest(service(), [event([z], { source: 'pos', attributes: jonathanStreet })]);
    for (const pair of [
      [a, y],
      [a, z],
      [a, c],
      [c, d],
      [d, b],
    ])
      await ingest(service(), [event(pair)]);
    const personId = await personOf(a);
    expect(await personOf(b)).toBe(personId);

    const answer = await explain(a, b);
    expect(answer.samePerson).toBe(true);
    if (!answer.samePerson) return;
    expect(answer.personId).toBe(personId);
    const path = answer.path!;
    expect(path.map((l) => [l.from, l.to])).toEqual([
      [a, z],
      [z, b],
    ]);
    expect(path[0]).toMatchObject({ method: 'deterministic', rule: 'same_event', confidence: 1 });
    expect(path[0]!.evidenceEvents).toHaveLength(1);
    expect(path[0]!.purposes).toEqual([]);
    expect(path[1]).toMatchObject({
      method: 'probabilistic',
      rule: 'fellegi_sunter',
      modelVersion: DEFAULT_MODEL.version,
      sources: ['pos'],
    });
    expect(path[1]!.confidence).toBeCloseTo(stronger, 12);

    // An API key without persons:read sees identifier types, never values.
    const typesOnly = await explain(a, b, AUDITOR_KEY);
    if (!typesOnly.samePerson) throw new Error('expected one person');
    expect(typesOnly.path!.map((l) => l.id)).toEqual(path.map((l) => l.id));
    expect(JSON.stringify(typesOnly)).not.toContain('path.example');
    expect(typesOnly.path![0]!.from).toEqual({ type: 'email' });

    // An identifier explained against itself: one person, no link needed.
    const itself = await explain(a, { type: 'email', value: ' A@path.example ' });
    expect(itself).toEqual({ samePerson: true, personId, path: [] });
  });

  it('refuses an invalid value with 400 without echoing it, and a key without audit:read with 403', async () => {
    const bad = await http<{ code: string; errors: { path: string; message: string }[] }>(
      service().baseUrl,
      'POST',
      '/v1/explain',
      { a: email('not-an-email-secret'), b: email('b@x.example') },
    );
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('INVALID_IDENTIFIER');
    expect(bad.body.errors).toEqual([{ path: '$.body.a.value', message: 'invalid_email' }]);
    expect(JSON.stringify(bad.body)).not.toContain('secret');
    const forbidden = await http(
      service().baseUrl,
      'POST',
      '/v1/explain',
      { a: email('a@x.example'), b: email('b@x.example') },
      undefined,
      testKeys[1]!.key,
    );
    expect(forbidden.status).toBe(403);
  });
});

describe('POST /v1/explain: why not', () => {
  it('no_evidence: nothing joins the two, or one is unknown (which side)', async () => {
    const [a, b] = [email('a@none.example'), email('b@none.example')];
    await ingest(service(), [event([a]), event([b])]);
    const answer = await apart(a, b);
    expect(answer.persons).toEqual([await personOf(a), await personOf(b)]);
    expect(answer.reasons).toEqual([{ code: 'no_evidence' }]);

    const unknown = await apart(a, email('never@none.example'));
    expect(unknown.persons).toEqual([await personOf(a), null]);
    expect(unknown.reasons).toEqual([{ code: 'no_evidence', side: 'b' }]);
  });

  it('suppressed: an erased identifier is told from one never seen', async () => {
    const [a, b] = [email('a@erase.example'), email('b@erase.example')];
    await ingest(service(), [event([a]), event([b])]);
    await privacyRequest({ type: 'erase', subject: { identifiers: [a] } });
    const answer = await apart(a, b);
    expect(answer.persons).toEqual([null, await personOf(b)]);
    expect(answer.reasons).toEqual([{ code: 'suppressed', side: 'a' }]);
  });

  it('below_threshold: the best record pair scored now, with each attribute’s contribution', async () => {
    const [a, b] = [email('a@below.example'), email('b@below.example')];
    await ingest(service(), [event([a], { attributes: jonathan })]);
    await ingest(service(), [event([b], { attributes: peter })]);
    const expected = score(jonathan, peter);
    expect(expected.probability).toBeLessThan(REVIEW);

    const answer = await apart(a, b, AUDITOR_KEY);
    expect(codes(answer.reasons)).toEqual(['below_threshold']);
    const reason = answer.reasons[0]!;
    if (reason.code !== 'below_threshold') throw new Error(reason.code);
    expect(reason).toMatchObject({
      decision: 'none',
      modelVersion: DEFAULT_MODEL.version,
      autoThreshold: AUTO,
      reviewThreshold: REVIEW,
      pairsScored: 1,
    });
    expect(reason.probability).toBeCloseTo(expected.probability, 12);
    expect(reason.comparisons).toEqual(expected.vector);
    const sum = reason.comparisons.reduce((s, c) => s + c.weight, reason.priorWeight);
    expect(sum).toBeCloseTo(reason.matchWeight, 9);
    expect(JSON.stringify(answer)).not.toMatch(/Jonathan|Lindqvist|1984|below\.example/);
  });

  it('review_pending, then no_match_decision once the review is decided no_match', async () => {
    const [a, b] = [email('a@review.example'), email('b@review.example')];
    const p = score(maria, mariaElsewhere).probability;
    expect(p).toBeGreaterThanOrEqual(REVIEW);
    expect(p).toBeLessThan(AUTO);
    await ingest(service(), [event([a], { source: 'crm', attributes: maria })]);
    await ingest(service(), [event([b], { source: 'shop', attributes: mariaElsewhere })]);
    const reviews = await http(
      service().baseUrl,
      'GET',
      '/v1/reviews',
      undefined,
      reviewListSchema,
    );
    const [review] = reviews.body.items;
    expect(review).toBeDefined();

    const pending = await apart(a, b);
    expect(codes(pending.reasons)).toEqual(['below_threshold', 'review_pending']);
    expect(pending.reasons).toContainEqual({
      code: 'review_pending',
      reviewId: review!.id,
      probability: review!.probability,
      modelVersion: DEFAULT_MODEL.version,
    });
    expect(pending.reasons.find((r) => r.code === 'below_threshold')).toMatchObject({
      decision: 'review',
    });

    const decided = await http(service().baseUrl, 'POST', `/v1/reviews/${review!.id}/decision`, {
      decision: 'no_match',
    });
    expect(decided.status).toBe(200);
    const after = await apart(a, b);
    expect(codes(after.reasons)).toEqual(['below_threshold', 'no_match_decision']);
    expect(after.reasons.find((r) => r.code === 'no_match_decision')).toMatchObject({
      reviewId: review!.id,
    });
  });

  it('merge_refused: the per-person limit that refused the join, with its audit record', async () => {
    const [a, b] = [email('a@limit.example'), email('b@limit.example')];
    await ingest(service(), [event([a, userId('u-1')]), event([b, userId('u-2')])]);
    await ingest(service(), [event([a, b])]);
    const [pa, pb] = [await personOf(a), await personOf(b)];
    expect(pa).not.toBe(pb);

    const answer = await apart(a, b);
    expect(answer.persons).toEqual([pa, pb]);
    expect(codes(answer.reasons)).toEqual(['merge_refused']);
    const refused = answer.reasons[0]!;
    expect(refused).toMatchObject({
      code: 'merge_refused',
      reason: 'limit_exceeded',
      identifierType: 'user_id',
      limit: 1,
      method: 'deterministic',
      rule: 'same_event',
    });
    const audit = await http<{ records: { id: string; linkId?: string }[] }>(
      service().baseUrl,
      'GET',
      `/v1/audit?kind=merge_refused&personId=${pa}`,
    );
    expect(audit.body.records.map((r) => [r.id, r.linkId])).toEqual([
      [(refused as { auditId: string }).auditId, (refused as { linkId: string }).linkId],
    ]);
  });

  it('consent_withheld: an identifier denied identity_linking, on the side it is on', async () => {
    const [a, b] = [email('a@consent.example'), email('b@consent.example')];
    await ingest(service(), [event([a], { consent: { purposes: { identity_linking: false } } })]);
    await ingest(service(), [event([a, b])]);
    expect(await personOf(a)).not.toBe(await personOf(b));

    const answer = await apart(b, a);
    expect(answer.reasons).toContainEqual({
      code: 'consent_withheld',
      side: 'b',
      purpose: 'identity_linking',
      identifier: a,
      linkId: null,
    });
  });

  it('withdrawn: a link a revoke request withdrew, with its reason, and the consent it withheld', async () => {
    const [a, b] = [email('a@revoke.example'), email('b@revoke.example')];
    await ingest(service(), [event([a, b])]);
    await privacyRequest({
      type: 'revoke',
      subject: { identifiers: [a] },
      purposes: ['identity_linking'],
    });
    const answer = await apart(a, b);
    expect(codes(answer.reasons)).toEqual(['consent_withheld', 'withdrawn']);
    const withdrawn = answer.reasons.find((r) => r.code === 'withdrawn')!;
    expect(withdrawn).toMatchObject({ reason: 'consent_revoked', method: 'deterministic' });
    expect(answer.reasons).toContainEqual({
      code: 'consent_withheld',
      side: 'a',
      purpose: 'identity_linking',
      identifier: a,
      linkId: null,
    });
  });

  it('split_off: a keep-apart split, and the evidence sent again refused by its constraint', async () => {
    const [a, b] = [email('a@split.example'), email('b@split.example')];
    await ingest(service(), [event([a]), event([b])]);
    await extra.autoCommit('cypher/write/keep-apart-split', {
      fromKey: 'email:a@split.example',
      toKey: 'email:b@split.example',
      auditId: 'aud_test_split',
      constraintId: 'con_test_split',
      now: Date.now(),
    });
    await ingest(service(), [event([a, b])]);
    expect(await personOf(a)).not.toBe(await personOf(b));

    const answer = await apart(a, b);
    expect(codes(answer.reasons)).toEqual(['merge_refused', 'split_off']);
    expect(answer.reasons).toContainEqual({
      code: 'split_off',
      auditId: 'aud_test_split',
      constraintId: 'con_test_split',
    });
    expect(answer.reasons.find((r) => r.code === 'merge_refused')).toMatchObject({
      reason: 'no_match_decision',
    });
  });
});
