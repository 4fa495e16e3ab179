import { describe, expect, it } from 'vitest';
import { historyPageSchema, personAtSchema } from '../../src/api/history-schemas.js';
import { reviewListSchema } from '../../src/api/schemas.js';
import type { IdentityEvent } from '../../src/events/event-schema.js';
import { privacyRequestAcceptedSchema } from '../../src/privacy/privacy-contract.js';
import { waitForRequest } from '../support/privacy.js';
import {
  ADMIN_KEY,
  event,
  http,
  invariants,
  noViolations,
  resolve,
  serviceForTests,
  testKeys,
  waitForJob,
} from './harness.js';

/**
 * A person's history through the API, on a person built from events through the real queue and
 * worker: creation, links joining it, a merge of two persons, a refused merge, a review decided
 * through the API and a split by a privacy revoke, in order, in pages; and the person as it was
 * before the merge and before the split (`?at=`).
 */

const AUDITOR_KEY = 'test-auditor-key-0123456789';
const service = serviceForTests({
  MATCH_AUTO_THRESHOLD: '0.999',
  MATCH_REVIEW_THRESHOLD: '0.05',
  IDGRAPH_API_KEYS: JSON.stringify([
    ...testKeys,
    { name: 'test-auditor', key: AUDITOR_KEY, scopes: ['audit:read'] },
  ]),
});

type Id = { type: string; value: string };
const email = (value: string): Id => ({ type: 'email', value });
const cookie = (value: string): Id => ({ type: 'cookie_id', value });
const userId = (value: string): Id => ({ type: 'user_id', value });

// Same names, birth dates a fortnight apart, different cities: a review, not a match (the
// matching tests check this pair's band with the default model).
const maria = {
  firstName: 'Maria',
  lastName: 'Kowalczyk',
  dateOfBirth: '1990-05-02',
  city: 'Perth',
};
const mariaElsewhere = { ...maria, dateOfBirth: '1990-05-16', city: 'Sydney' };

async function personOf(id: Id): Promise<string> {
  const [result] = await resolve(service(), [id]);
  return result!.personId!;
}

async function historyPage(personId: string, query = '', key = ADMIN_KEY) {
  return http(
    service().baseUrl,
    'GET',
    `/v1/persons/${personId}/history${query}`,
    undefined,
    historyPageSchema,
    key,
  );
}

async function wholeHistory(personId: string) {
  const answer = await historyPage(personId, '?limit=1000');
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  expect(answer.body.next).toBeNull();
  return answer.body.items;
}

async function personAt(personId: string, at: string, key = ADMIN_KEY) {
  return http(
    service().baseUrl,
    'GET',
    `/v1/persons/${personId}/history?at=${encodeURIComponent(at)}`,
    undefined,
    personAtSchema,
    key,
  );
}

const before = (iso: string) => new Date(Date.parse(iso) - 1).toISOString();
const values = (identifiers: { value: string }[]) => identifiers.map((i) => i.value).sort();

/** Events one at a time, each its own job, so each change has its own instant. */
async function ingestEach(events: IdentityEvent[]) {
  for (const e of events) {
    const posted = await http<{ jobId: string }>(service().baseUrl, 'POST', '/v1/events', {
      events: [e],
    });
    expect(posted.status).toBe(202);
    // Generous: the scenario is a dozen jobs in a row on a shared machine.
    expect((await waitForJob(service(), posted.body.jobId, 240_000)).state).toBe('completed');
  }
}

/**
 * P1 {ann, ck-1} (with Maria's record); P2 {bob, ck-2}; ck-1 + ck-2 merges P2 into P1; u-1 joins;
 * P3 {u-2}; u-2 + ck-1 is refused (one user_id a person); Maria elsewhere {mk90} is a review,
 * decided `match` through the API; revoking identity_linking of bob splits bob off.
 */
async function buildPerson() {
  await ingestEach([
    event([email('ann@example.org'), cookie('ck-1')], { source: 'crm', attributes: maria }),
    event([email('bob@example.org'), cookie('ck-2')]),
    event([cookie('ck-1'), cookie('ck-2')]),
    event([userId('u-1'), email('ann@example.org')]),
    event([userId('u-2')]),
    event([userId('u-2'), cookie('ck-1')]),
    event([email('mk90@shop.example')], { source: 'shop', attributes: mariaElsewhere }),
  ]);
  const reviews = await http(
    service().baseUrl,
    'GET',
    '/v1/reviews?status=pending',
    undefined,
    reviewListSchema,
  );
  expect(reviews.body.items).toHaveLength(1);
  const decided = await http(
    service().baseUrl,
    'POST',
    `/v1/reviews/${reviews.body.items[0]!.id}/decision`,
    { decision: 'match', reason: 'same customer, moved' },
  );
  expect(decided.status).toBe(200);

  const posted = await http(service().baseUrl, 'POST', '/v1/privacy/requests', {
    type: 'revoke',
    subject: { identifiers: [email('bob@example.org')] },
    purposes: ['identity_linking'],
    reason: 'ticket PRIV-9',
  });
  expect(posted.status, JSON.stringify(posted.body)).toBe(202);
  const { id: requestId } = privacyRequestAcceptedSchema.parse(posted.body);
  const view = await waitForRequest(service().baseUrl, requestId, ADMIN_KEY);
  expect(view.status).toBe('completed');
  return { requestId };
}

describe('person history', () => {
  it(
    'lists every step of a person built from events, a review decision and a split, oldest first',
    { timeout: 600_000 },
    async () => {
      const { requestId } = await buildPerson();
      const personId = await personOf(email('ann@example.org'));
      const bobPerson = await personOf(email('bob@example.org'));
      expect(bobPerson).not.toBe(personId);
      expect(await personOf(email('mk90@shop.example'))).toBe(personId);
      expect(await invariants(service().graph)).toEqual(noViolations);

      const items = await wholeHistory(personId);
      // Oldest first; within one instant: creations, then links, then audit records.
      const rank = (kind: string) =>
        kind === 'created' ? 0 : kind === 'identifier_joined' ? 1 : 2;
      for (let k = 1; k < items.length; k++) {
        const [a, b] = [items[k - 1]!, items[k]!];
        expect(a.at <= b.at).toBe(true);
        if (a.at === b.at) expect(rank(a.kind) <= rank(b.kind)).toBe(true);
      }
      // Each instant's changes, in the order they happened.
      const instants = new Map<string, string[]>();
      for (const item of items)
        instants.set(item.at, [...(instants.get(item.at) ?? []), item.kind]);
      const steps = [...instants.values()].map((kinds) => kinds.join(' '));
      expect(steps.slice(0, 6)).toEqual([
        'created identifier_joined', // ann + ck-1
        'created identifier_joined', // bob + ck-2: the person merged in later
        'identifier_joined merge', // ck-1 + ck-2
        'identifier_joined', // u-1
        'merge_refused', // u-2 + ck-1
        'created', // mk90: the review's other side, merged in by the decision
      ]);
      // The decision: its link and merge, then its own record (written last, at its own time).
      const kinds = items.map((i) => i.kind);
      expect(kinds.slice(9, 12)).toEqual(['identifier_joined', 'merge', 'review_decision']);
      // Then the revoke request's records (its steps may take several transactions).
      expect(
        kinds
          .slice(12)
          .filter((kind) => kind !== 'privacy_request')
          .sort(),
      ).toEqual(['consent_revoked', 'link_withdrawn', 'split']);

      const byKind = (kind: string) => items.filter((i) => i.kind === kind);
      expect(byKind('created')[0]).toMatchObject({
        personId,
        actor: 'resolver',
        auditId: null,
        identifierCount: 2,
        identifierTypes: { cookie_id: 1, email: 1 },
      });
      const merges = byKind('merge');
      expect(merges).toHaveLength(2);
      expect(merges[0]).toMatchObject({
        survivorId: personId,
        absorbedIds: [byKind('created')[1]!.personId],
        actor: 'resolver',
        linkId: byKind('identifier_joined')[2]!.linkId,
      });
      expect(merges[0]!.auditId).toMatch(/^aud_/);
      expect(merges[0]!.rule).toEqual(expect.any(String));
      expect(byKind('merge_refused')[0]!.reason).toEqual(expect.any(String));
      expect(byKind('merge_refused')[0]).toMatchObject({
        identifierType: 'user_id',
        limit: 1,
      });
      expect(byKind('review_decision')[0]).toMatchObject({
        decision: 'match',
        actor: 'test-admin',
      });
      const joins = byKind('identifier_joined');
      expect(joins).toHaveLength(5);
      expect(joins[0]).toMatchObject({
        method: 'deterministic',
        fromType: 'cookie_id',
        toType: 'email',
        status: 'active',
        auditId: null,
      });
      expect(joins[0]!.eventKeys).toHaveLength(1);
      expect(joins.find((j) => j.method === 'manual')).toMatchObject({ rule: 'review_decision' });
      const withdrawn = byKind('link_withdrawn')[0]!;
      expect(withdrawn).toMatchObject({ requestId, requestType: 'revoke', actor: 'test-admin' });
      expect(joins.find((j) => j.linkId === withdrawn.linkId)).toMatchObject({
        status: 'withdrawn',
      });
      expect(byKind('split')[0]).toMatchObject({
        personIds: [personId, bobPerson],
        requestId,
        reason: 'consent_revoked',
      });
      // No identifier value anywhere in a history.
      const text = JSON.stringify(items);
      for (const value of ['ann@', 'bob@', 'ck-1', 'u-1', 'mk90', 'Maria', 'moved'])
        expect(text).not.toContain(value);

      // The person split off starts with the split that created it.
      const split = await wholeHistory(bobPerson);
      expect(split.map((i) => i.kind)).toEqual(['created', 'split']);
      expect(split[0]).toMatchObject({ splitFrom: personId, identifierTypes: { email: 1 } });
      expect(split[1]!.auditId).toBe(byKind('split')[0]!.auditId);
    },
  );

  it(
    'pages are complete and stable: following cursors gives the whole history once, even as it grows',
    { timeout: 600_000 },
    async () => {
      await buildPerson();
      const personId = await personOf(email('ann@example.org'));
      const whole = await wholeHistory(personId);

      const paged: typeof whole = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const query: string = `?limit=3${cursor ? `&cursor=${cursor}` : ''}`;
        const page = await historyPage(personId, query);
        expect(page.status).toBe(200);
        paged.push(...page.body.items);
        cursor = page.body.next;
        pages += 1;
        // A change between pages: later items come after the cursor, nothing is repeated.
        if (pages === 2) await ingestEach([event([email('ann@example.org'), cookie('ck-new')])]);
      } while (cursor);
      const grown = await wholeHistory(personId);
      expect(grown).toHaveLength(whole.length + 1);
      expect(paged).toEqual(grown);
      expect(pages).toBe(Math.ceil(grown.length / 3));

      const bad = await historyPage(personId, '?cursor=not-a-cursor');
      expect(bad.status).toBe(400);
      expect(bad.headers.get('content-type')).toContain('application/problem+json');
    },
  );

  it(
    'a merged id answers with its survivor; an unknown id is 404',
    { timeout: 300_000 },
    async () => {
      await ingestEach([
        event([email('ann@example.org'), cookie('ck-1')]),
        event([email('bob@example.org'), cookie('ck-2')]),
      ]);
      const absorbed = await personOf(email('bob@example.org'));
      await ingestEach([event([cookie('ck-1'), cookie('ck-2')])]);
      const survivor = await personOf(email('ann@example.org'));
      expect(survivor).not.toBe(absorbed);

      const answer = await historyPage(absorbed, '?limit=1000');
      expect(answer.status).toBe(200);
      expect(answer.headers.get('location')).toBe(`/v1/persons/${survivor}/history`);
      expect(answer.body).toMatchObject({ personId: survivor, requestedId: absorbed });
      expect(answer.body.items).toEqual(await wholeHistory(survivor));

      const unknown = await historyPage('per_unknown');
      expect(unknown.status).toBe(404);
      expect(unknown.body).toMatchObject({ code: 'PERSON_NOT_FOUND' });
    },
  );

  it(
    '?at= gives the person as it was before a merge and before a split',
    { timeout: 600_000 },
    async () => {
      await buildPerson();
      const personId = await personOf(email('ann@example.org'));
      const items = await wholeHistory(personId);
      const [firstMerge] = items.filter((i) => i.kind === 'merge');
      const split = items.find((i) => i.kind === 'split')!;
      const absorbed = firstMerge!.absorbedIds![0]!;

      // Before the merge: each person on its own, with its own link.
      const p1 = await personAt(personId, before(firstMerge!.at));
      expect(p1.status, JSON.stringify(p1.body)).toBe(200);
      expect(values(p1.body.identifiers)).toEqual(['ann@example.org', 'ck-1']);
      expect(p1.body.links).toHaveLength(1);
      expect(p1.body.links[0]).toMatchObject({ method: 'deterministic' });
      const p2 = await personAt(absorbed, before(firstMerge!.at));
      expect(p2.body).toMatchObject({ personId: absorbed, requestedId: absorbed });
      expect(values(p2.body.identifiers)).toEqual(['bob@example.org', 'ck-2']);
      // At the merge, the absorbed id answers with the survivor, holding both.
      const merged = await personAt(absorbed, firstMerge!.at);
      expect(merged.body).toMatchObject({ personId, requestedId: absorbed });
      expect(values(merged.body.identifiers)).toEqual([
        'ann@example.org',
        'bob@example.org',
        'ck-1',
        'ck-2',
      ]);
      expect(merged.body.links).toHaveLength(3);

      // Before the split, bob and its link were in the person; at the split they are not.
      const beforeSplit = await personAt(personId, before(split.at));
      const atSplit = await personAt(personId, split.at);
      expect(values(beforeSplit.body.identifiers)).toEqual([
        'ann@example.org',
        'bob@example.org',
        'ck-1',
        'ck-2',
        'mk90@shop.example',
        'u-1',
      ]);
      expect(values(atSplit.body.identifiers)).toEqual(
        values(beforeSplit.body.identifiers).filter((v) => v !== 'bob@example.org'),
      );
      const withdrawn = items.find((i) => i.kind === 'link_withdrawn')!.linkId;
      expect(beforeSplit.body.links.map((l) => l.id)).toContain(withdrawn);
      expect(atSplit.body.links.map((l) => l.id)).not.toContain(withdrawn);
      expect(beforeSplit.body.links).toHaveLength(5);
      expect(atSplit.body.links).toHaveLength(4);
      // Now, it is the person GET /v1/persons/{id} answers.
      const now = await personAt(personId, new Date().toISOString());
      const current = await http<{ identifiers: { value: string }[] }>(
        service().baseUrl,
        'GET',
        `/v1/persons/${personId}`,
      );
      expect(values(now.body.identifiers)).toEqual(values(current.body.identifiers));

      // Before it existed: 404 with its own code. Values need persons:read too.
      const early = await personAt(personId, before(items[0]!.at));
      expect(early.status).toBe(404);
      expect(early.body).toMatchObject({ code: 'PERSON_NOT_YET_CREATED' });
      const auditorAt = await personAt(personId, split.at, AUDITOR_KEY);
      expect(auditorAt.status).toBe(403);
      expect((await historyPage(personId, '', AUDITOR_KEY)).status).toBe(200);
      const both = await http(
        service().baseUrl,
        'GET',
        `/v1/persons/${personId}/history?at=${encodeURIComponent(split.at)}&cursor=x`,
      );
      expect(both.status).toBe(400);
    },
  );
});
