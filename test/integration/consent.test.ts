import { describe, expect, it } from 'vitest';
import { personConsentSchema, personSchema, reviewListSchema } from '../../src/api/schemas.js';
import { recordConsent } from '../../src/consent/consent-state.js';
import type { IdentityEvent } from '../../src/events/event-schema.js';
import {
  event,
  http,
  ingest,
  invariants,
  noViolations,
  resolve,
  serviceForTests,
  type TestService,
  testKeys,
} from './harness.js';
import { jonathan, jonathanTypo } from '../support/sample-people.js';

/**
 * Consent state per identifier and purpose: the newest assertion wins (a privacy request outranks
 * events as old or older), GET /v1/persons/{id}/consent shows it with its history, and an
 * identifier whose identity_linking is denied links nothing, deterministically or
 * probabilistically, until a newer event grants it again.
 */

const service = serviceForTests({ MATCH_AUTO_THRESHOLD: '0.999', MATCH_REVIEW_THRESHOLD: '0.05' });

const email = (value: string) => ({ type: 'email', value });
const cookie = (value: string) => ({ type: 'cookie_id', value });
const on = (day: string) => `2026-${day}T10:00:00.000Z`;
type Purposes = Record<string, boolean>;

function sighting(
  ids: { type: string; value: string }[],
  occurredAt: string,
  purposes?: Purposes,
  more: Partial<IdentityEvent> = {},
): IdentityEvent {
  return event(ids, {
    occurredAt,
    ...(purposes ? { consent: { purposes } } : {}),
    ...more,
  });
}

async function consentOf(personId: string) {
  const answer = await http(
    service().baseUrl,
    'GET',
    `/v1/persons/${personId}/consent`,
    undefined,
    personConsentSchema,
    testKeys[1]!.key,
  );
  expect(answer.status).toBe(200);
  return answer;
}

async function personOf(id: { type: string; value: string }) {
  const [result] = await resolve(service(), [id]);
  return result!.personId!;
}

/** A privacy request's denial, as the revoke step records it: identifiers locked first. */
async function requestDenial(s: TestService, keys: string[], purposes: string[], at: string) {
  return s.graph.writeTransaction('test-request', async (tx) => {
    await tx.run('write/lock-identifiers', { keys: [...keys].sort() });
    return recordConsent(tx, {
      identifierKeys: keys,
      purposes,
      granted: false,
      at: Date.parse(at),
      requestId: 'prq_test',
    });
  });
}

describe('consent state', () => {
  it('the newest assertion wins; GET consent shows current states and their history, newest first', async () => {
    const ann = email('ann@example.org');
    const ck = cookie('ck-ann');
    const granting = sighting([ann, ck], on('03-01'), {
      identity_linking: true,
      marketing: true,
      analytics: true,
    });
    const older = sighting([ann], on('02-01'), { marketing: false });
    const newer = sighting([ann], on('04-01'), { marketing: false });
    for (const e of [granting, older, newer]) await ingest(service(), [e]);
    const personId = await personOf(ann);

    const { body } = await consentOf(personId);
    expect(body.id).toBe(personId);
    expect(body.purposes.map((p) => p.purpose)).toEqual([
      'analytics',
      'identity_linking',
      'marketing',
    ]);
    const marketing = body.purposes.find((p) => p.purpose === 'marketing')!;
    // By identifier key: cookie_id:… before email:….
    expect(marketing.identifiers.map((i) => [i.type, i.value])).toEqual([
      ['cookie_id', 'ck-ann'],
      ['email', 'ann@example.org'],
    ]);
    const [cookieState, emailState] = marketing.identifiers;
    expect(cookieState!.current).toEqual({
      granted: true,
      at: on('03-01'),
      source: 'web',
      eventId: granting.id,
      requestId: null,
    });
    // The older denial lost: neither current nor in the history.
    expect(emailState!.current).toMatchObject({
      granted: false,
      at: on('04-01'),
      eventId: newer.id,
    });
    expect(emailState!.history.map((h) => [h.granted, h.at, h.eventId])).toEqual([
      [false, on('04-01'), newer.id],
      [true, on('03-01'), granting.id],
    ]);
    expect(emailState!.historyTotal).toBe(2);

    // A privacy request denying analytics outranks an event of the same time, not a newer one.
    const annKey = 'email:ann@example.org';
    const recorded = await requestDenial(service(), [annKey], ['analytics'], on('05-01'));
    expect(recorded).toEqual({
      changed: { analytics: 1 },
      outranked: { analytics: 0 },
      changedKeys: [annKey],
      missing: 0,
    });
    // The same request again records nothing more.
    expect((await requestDenial(service(), [annKey], ['analytics'], on('05-01'))).changed).toEqual({
      analytics: 0,
    });
    const sameTime = sighting([ann], on('05-01'), { analytics: true });
    await ingest(service(), [sameTime]);
    const afterSame = (await consentOf(personId)).body.purposes.find(
      (p) => p.purpose === 'analytics',
    )!;
    const annAnalytics = () => afterSame.identifiers.find((i) => i.type === 'email')!;
    expect(annAnalytics().current).toEqual({
      granted: false,
      at: on('05-01'),
      source: 'privacy_request',
      eventId: null,
      requestId: 'prq_test',
    });
    const later = sighting([ann], on('06-01'), { analytics: true });
    await ingest(service(), [later]);
    const afterLater = (await consentOf(personId)).body.purposes.find(
      (p) => p.purpose === 'analytics',
    )!;
    const ann2 = afterLater.identifiers.find((i) => i.type === 'email')!;
    expect(ann2.current).toMatchObject({ granted: true, at: on('06-01'), eventId: later.id });
    expect(ann2.history.map((h) => [h.granted, h.source, h.eventId ?? h.requestId])).toEqual([
      [true, 'web', later.id],
      [false, 'privacy_request', 'prq_test'],
      [true, 'web', granting.id],
    ]);
    // Once an event newer than the request set the state, the request no longer changes it.
    expect(await requestDenial(service(), [annKey], ['analytics'], on('05-01'))).toMatchObject({
      changed: { analytics: 0 },
      outranked: { analytics: 1 },
    });

    // A merged id answers for its survivor.
    await ingest(service(), [sighting([email('ann.work@example.org')], on('06-02'))]);
    const absorbed = await personOf(email('ann.work@example.org'));
    await ingest(service(), [sighting([ck, email('ann.work@example.org')], on('06-03'))]);
    const merged = await consentOf(absorbed);
    expect(merged.body).toMatchObject({ id: personId, requestedId: absorbed });
    expect(merged.headers.get('location')).toBe(`/v1/persons/${personId}/consent`);

    const unknown = await http(service().baseUrl, 'GET', '/v1/persons/per_nobody/consent');
    expect(unknown.status).toBe(404);
    const writerOnly = await http(
      service().baseUrl,
      'GET',
      `/v1/persons/${personId}/consent`,
      undefined,
      undefined,
      testKeys[2]!.key,
    );
    expect(writerOnly.status).toBe(403);
  });

  it('an identifier denied identity_linking links nothing until a newer event grants it, and that event links it', async () => {
    const [a, b, c, d, e] = ['a', 'b', 'c', 'd', 'e'].map((n) => email(`${n}@deny.example`));
    await ingest(service(), [sighting([a!], on('03-01'), { identity_linking: false })]);
    // A later event without consent: a keeps its own person, b gets one.
    await ingest(service(), [sighting([a!, b!], on('03-02'))]);
    // An event older than the denial cannot grant it back.
    await ingest(service(), [sighting([a!, c!], on('02-01'), { identity_linking: true })]);
    const apart = (await resolve(service(), [a!, b!, c!])).map((r) => r.personId);
    expect(new Set(apart).size).toBe(3);

    // A newer event granting identity_linking links, from then on events without consent link too.
    await ingest(service(), [sighting([a!, d!], on('03-05'), { identity_linking: true })]);
    const pd = await personOf(d!);
    expect(await personOf(a!)).toBe(pd);
    expect(await personOf(b!)).not.toBe(pd);
    await ingest(service(), [sighting([a!, b!], on('03-06'))]);
    expect(await personOf(b!)).toBe(await personOf(a!));

    // A revocation request outranks an event granting at the same time: d links nothing.
    await requestDenial(service(), ['email:d@deny.example'], ['identity_linking'], on('04-01'));
    await ingest(service(), [sighting([d!, e!], on('04-01'), { identity_linking: true })]);
    expect(await personOf(e!)).not.toBe(await personOf(d!));
    expect(await invariants(service().graph)).toEqual(noViolations);
  });

  it('a record whose anchor identifier is denied identity_linking is neither matched nor a candidate', async () => {
    const crm = email('jw@crm.example');
    await ingest(service(), [
      sighting([crm], on('03-01'), undefined, { source: 'crm', attributes: jonathan }),
    ]);
    await ingest(service(), [sighting([crm], on('03-02'), { identity_linking: false })]);

    // The candidate's anchor is denied: the pair scores above the threshold but is not linked.
    const shop = await ingest(service(), [
      sighting([email('jw2@shop.example')], on('03-03'), undefined, {
        source: 'shop',
        attributes: jonathanTypo,
      }),
    ]);
    expect(shop.matching).toMatchObject({ records: 1, matched: 1, consentDenied: 1 });
    expect(await personOf(email('jw2@shop.example'))).not.toBe(await personOf(crm));

    // A record anchored on the denied identifier gets no blocking keys: no candidates at all.
    const own = await ingest(service(), [
      sighting([crm], on('03-04'), undefined, { source: 'crm', attributes: jonathanTypo }),
    ]);
    expect(own.matching).toMatchObject({ records: 1, candidates: 0 });

    // Granted again by a newer event, the anchor's stored record matches the next one.
    await ingest(service(), [sighting([crm], on('03-05'), { identity_linking: true })]);
    const next = await ingest(service(), [
      sighting([email('jw3@shop.example')], on('03-06'), undefined, {
        source: 'shop',
        attributes: jonathanTypo,
      }),
    ]);
    expect(next.matching).toMatchObject({ consentDenied: 0 });
    expect(await personOf(email('jw3@shop.example'))).toBe(await personOf(crm));
    expect(await invariants(service().graph)).toEqual(noViolations);
  });

  it('a review decided match on a record whose anchor is denied identity_linking joins nothing', async () => {
    const maria = {
      firstName: 'Maria',
      lastName: 'Kowalczyk',
      dateOfBirth: '1990-05-02',
      city: 'Perth',
    };
    const elsewhere = { ...maria, dateOfBirth: '1990-05-16', city: 'Sydney' };
    const [m1, m2] = [email('maria@crm.example'), email('maria@shop.example')];
    await ingest(service(), [
      sighting([m1], on('03-01'), undefined, { source: 'crm', attributes: maria }),
    ]);
    const second = await ingest(service(), [
      sighting([m2], on('03-02'), undefined, { source: 'shop', attributes: elsewhere }),
    ]);
    expect(second.matching).toMatchObject({ reviews: 1 });
    await ingest(service(), [sighting([m1], on('03-03'), { identity_linking: false })]);
    const pending = await http(
      service().baseUrl,
      'GET',
      '/v1/reviews?status=pending',
      undefined,
      reviewListSchema,
    );
    const [review] = pending.body.items;
    const decided = await http<{ code: string }>(
      service().baseUrl,
      'POST',
      `/v1/reviews/${review!.id}/decision`,
      { decision: 'match' },
    );
    expect(decided.status).toBe(409);
    expect(decided.body.code).toBe('CONSENT_DENIED');
    expect(await personOf(m2)).not.toBe(await personOf(m1));
    const still = await http(
      service().baseUrl,
      'GET',
      '/v1/reviews?status=pending',
      undefined,
      reviewListSchema,
    );
    expect(still.body.items.map((r) => r.id)).toEqual([review!.id]);
  });

  it('scoped views still read the purposes of links: a later denial changes the consent state, not the view', async () => {
    const max = email('max@scoped.example');
    const ck = cookie('ck-max-scoped');
    await ingest(service(), [
      sighting([max, ck], on('03-01'), { identity_linking: true, advertising: true }),
    ]);
    await ingest(service(), [sighting([ck], on('03-02'), { advertising: false })]);
    const personId = await personOf(max);
    const scoped = await http(
      service().baseUrl,
      'GET',
      `/v1/persons/${personId}?purpose=advertising`,
      undefined,
      personSchema,
    );
    expect(scoped.body.identifiers.map((i) => i.type).sort()).toEqual(['cookie_id', 'email']);
    const advertising = (await consentOf(personId)).body.purposes.find(
      (p) => p.purpose === 'advertising',
    )!;
    expect(advertising.identifiers.map((i) => [i.type, i.current.granted])).toEqual([
      ['cookie_id', false],
      ['email', true],
    ]);
  });
});
