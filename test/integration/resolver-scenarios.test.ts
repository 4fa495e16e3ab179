import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  auditListSchema,
  deadLetterListSchema,
  personLinksSchema,
  personSchema,
} from '../../src/api/schemas.js';
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
  waitForJob,
} from './harness.js';

/** One scenario per resolver rule, seen as a user sees it: through the API. */

let service: TestService;

beforeAll(async () => {
  service = await startService({ DEFAULT_PHONE_REGION: 'US' });
});
afterAll(async () => {
  await service?.close();
});
beforeEach(async () => {
  await clearGraph(service.graph);
});

const audit = async (query: string) =>
  (await http(service.baseUrl, 'GET', `/v1/audit?${query}`, undefined, auditListSchema)).body
    .records;

describe('deterministic resolution', () => {
  it('links identifiers seen in one event into one person', async () => {
    const job = await ingest(service, [
      event([
        { type: 'email', value: 'ann@example.org' },
        { type: 'phone', value: '+1 415 555 2671' },
        { type: 'cookie_id', value: 'ck-1' },
      ]),
    ]);
    expect(job).toMatchObject({
      state: 'completed',
      counts: { applied: 1, duplicates: 0, rejected: 0 },
    });
    const results = await resolve(service, [
      { type: 'email', value: 'ann@example.org' },
      { type: 'phone', value: '+14155552671' },
      { type: 'cookie_id', value: 'ck-1' },
    ]);
    const ids = new Set(results.map((r) => r.personId));
    expect(ids.size).toBe(1);
    expect([...ids][0]).toMatch(/^per_/);
    expect(results.every((r) => r.confidence === 1)).toBe(true);
    const person = await http(
      service.baseUrl,
      'GET',
      `/v1/persons/${results[0]!.personId}`,
      undefined,
      personSchema,
    );
    expect(person.body.identifiers.map((i) => `${i.type}:${i.value}`)).toEqual([
      'cookie_id:ck-1',
      'email:ann@example.org',
      'phone:+14155552671',
    ]);
    expect(await invariants(service.graph)).toEqual(noViolations);
  });

  it('normalises values on ingest and on lookup alike', async () => {
    await ingest(service, [
      event([
        { type: 'email', value: '  Ann@Example.ORG ' },
        { type: 'phone', value: '(415) 555-2671' },
      ]),
    ]);
    const [email, phone] = await resolve(service, [
      { type: 'email', value: 'ann@example.org' },
      { type: 'phone', value: '+1-415-555-2671' },
    ]);
    expect(email!.personId).not.toBeNull();
    expect(phone!.personId).toBe(email!.personId);
  });

  it('drops invalid values with a reason and rejects an event left with none', async () => {
    const good = event([
      { type: 'email', value: 'bob@example.org' },
      { type: 'phone', value: 'not a phone' },
    ]);
    const bad = event([
      { type: 'email', value: 'nope' },
      { type: 'fax', value: '123' },
    ]);
    const job = await ingest(service, [good, bad]);
    expect(job.counts).toEqual({ applied: 1, duplicates: 0, rejected: 1, suppressed: 0 });
    expect(job.rejected).toEqual([
      { eventId: good.id, source: 'web', reason: 'identifiers[1] (phone): invalid_phone' },
      { eventId: bad.id, source: 'web', reason: 'identifiers[0] (email): invalid_email' },
      { eventId: bad.id, source: 'web', reason: 'identifiers[1] (fax): unknown_type' },
      { eventId: bad.id, source: 'web', reason: 'no_usable_identifier: event rejected' },
    ]);
    expect(JSON.stringify(job)).not.toContain('not a phone');
    const [bob] = await resolve(service, [{ type: 'email', value: 'bob@example.org' }]);
    expect(bob!.personId).not.toBeNull();
  });

  it('never links through a blocked value, and lookups say it is blocked', async () => {
    await ingest(service, [
      event([
        { type: 'email', value: 'test@test.com' },
        { type: 'user_id', value: 'alice' },
      ]),
      event([
        { type: 'email', value: 'TEST@test.com' },
        { type: 'user_id', value: 'carol' },
      ]),
      event([
        { type: 'phone', value: '000-000-0000' },
        { type: 'crm_id', value: 'c1' },
      ]),
      event([
        { type: 'phone', value: '0000000000' },
        { type: 'crm_id', value: 'c2' },
      ]),
    ]);
    const results = await resolve(service, [
      { type: 'user_id', value: 'alice' },
      { type: 'user_id', value: 'carol' },
      { type: 'crm_id', value: 'c1' },
      { type: 'crm_id', value: 'c2' },
      { type: 'email', value: 'test@test.com' },
    ]);
    expect(new Set(results.slice(0, 4).map((r) => r.personId)).size).toBe(4);
    expect(results[4]).toMatchObject({ personId: null, reason: 'blocked' });
  });

  it('records identifiers but links none when identity_linking consent is refused', async () => {
    const job = await ingest(service, [
      event(
        [
          { type: 'email', value: 'dan@example.org' },
          { type: 'device_id', value: 'dev-dan' },
        ],
        {
          consent: { purposes: { identity_linking: false, analytics: true } },
        },
      ),
    ]);
    expect(job.counts.applied).toBe(1);
    const [email, device] = await resolve(service, [
      { type: 'email', value: 'dan@example.org' },
      { type: 'device_id', value: 'DEV-DAN' },
    ]);
    expect(email!.personId).not.toBeNull();
    expect(device!.personId).not.toBeNull();
    expect(email!.personId).not.toBe(device!.personId);
  });

  it('merges two persons into the older one, keeps the merged id resolving, and audits the merge', async () => {
    const first = event([
      { type: 'email', value: 'eve@example.org' },
      { type: 'cookie_id', value: 'ck-eve' },
    ]);
    await ingest(service, [first]);
    await ingest(service, [
      event([
        { type: 'phone', value: '+14155550100' },
        { type: 'device_id', value: 'dev-eve' },
      ]),
    ]);
    const [older, newer] = await resolve(service, [
      { type: 'email', value: 'eve@example.org' },
      { type: 'phone', value: '+14155550100' },
    ]);
    expect(older!.personId).not.toBe(newer!.personId);

    const bridge = event(
      [
        { type: 'cookie_id', value: 'ck-eve' },
        { type: 'device_id', value: 'dev-eve' },
      ],
      { source: 'app' },
    );
    await ingest(service, [bridge]);
    const after = await resolve(service, [
      { type: 'email', value: 'eve@example.org' },
      { type: 'phone', value: '+14155550100' },
      { type: 'device_id', value: 'dev-eve' },
    ]);
    expect(after.map((r) => r.personId)).toEqual([
      older!.personId,
      older!.personId,
      older!.personId,
    ]);

    const merged = await http(
      service.baseUrl,
      'GET',
      `/v1/persons/${newer!.personId}`,
      undefined,
      personSchema,
    );
    expect(merged.status).toBe(200);
    expect(merged.body).toMatchObject({
      id: older!.personId,
      requestedId: newer!.personId,
      status: 'active',
      mergedFrom: [newer!.personId],
    });
    expect(merged.headers.get('location')).toBe(`/v1/persons/${older!.personId}`);
    expect(merged.body.identifiers).toHaveLength(4);
    // The links of a merged id are its survivor's: the three that hold the four together.
    const mergedLinks = await http(
      service.baseUrl,
      'GET',
      `/v1/persons/${newer!.personId}/links`,
      undefined,
      personLinksSchema,
    );
    expect(mergedLinks.body.personId).toBe(older!.personId);
    expect(mergedLinks.body.links).toHaveLength(3);

    const records = await audit(`personId=${older!.personId}&kind=merge`);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({
      kind: 'merge',
      survivorId: older!.personId,
      absorbedIds: [newer!.personId],
      eventKey: `app/${bridge.id}`,
      method: 'deterministic',
      rule: 'same_event',
      confidence: 1,
    });
    expect(records[0]!.linkId).toMatch(/^lnk_/);
    expect(JSON.stringify(records)).not.toMatch(/eve@|ck-eve|dev-eve|4155550100/);
    expect(await invariants(service.graph)).toEqual(noViolations);
  });

  it('refuses a merge that would break a per-type limit: a device seen with 25 user_ids is not one person', async () => {
    const events = Array.from({ length: 25 }, (_, i) =>
      event([
        { type: 'device_id', value: 'shared-kiosk' },
        { type: 'user_id', value: `kiosk-user-${i}` },
      ]),
    );
    // Sent in several jobs, as a real stream would arrive.
    for (let i = 0; i < events.length; i += 5) await ingest(service, events.slice(i, i + 5));
    const results = await resolve(
      service,
      events.map((_, i) => ({ type: 'user_id', value: `kiosk-user-${i}` })),
    );
    expect(new Set(results.map((r) => r.personId)).size).toBe(25);
    const [device] = await resolve(service, [{ type: 'device_id', value: 'shared-kiosk' }]);
    expect(device!.personId).toBe(results[0]!.personId);

    const refusals = await audit('kind=merge_refused&limit=1000');
    expect(refusals).toHaveLength(24);
    expect(refusals[0]).toMatchObject({
      kind: 'merge_refused',
      reason: 'limit_exceeded',
      identifierType: 'user_id',
      limit: 1,
      wouldHave: 2,
    });
    expect(refusals.every((r) => r.personIds.includes(device!.personId!))).toBe(true);
    // Evidence is kept: the same pair seen again neither merges nor writes a second refusal.
    await ingest(service, [
      event([
        { type: 'device_id', value: 'shared-kiosk' },
        { type: 'user_id', value: 'kiosk-user-7' },
      ]),
    ]);
    expect(await audit('kind=merge_refused&limit=1000')).toHaveLength(24);
    expect(await invariants(service.graph)).toEqual(noViolations);
  });

  it('applies the same (source, id) once, however often it is delivered', async () => {
    const once = event([
      { type: 'email', value: 'fay@example.org' },
      { type: 'crm_id', value: 'crm-fay' },
    ]);
    const first = await ingest(service, [once]);
    const again = await ingest(service, [
      {
        ...once,
        identifiers: [
          { type: 'email', value: 'fay@example.org' },
          { type: 'crm_id', value: 'other' },
        ],
      },
      event([{ type: 'email', value: 'gus@example.org' }]),
    ]);
    expect(first.counts).toMatchObject({ applied: 1, duplicates: 0 });
    expect(again.counts).toMatchObject({ applied: 1, duplicates: 1 });
    const [other] = await resolve(service, [{ type: 'crm_id', value: 'other' }]);
    expect(other).toMatchObject({ personId: null, reason: 'not_found' });
    // Re-sending the identical batch is the same job.
    const posted = await http<{ jobId: string }>(service.baseUrl, 'POST', '/v1/events', {
      events: [once],
    });
    const postedAgain = await http<{ jobId: string }>(service.baseUrl, 'POST', '/v1/events', {
      events: [once],
    });
    expect(postedAgain.body.jobId).toBe(posted.body.jobId);
  });

  it('resolves a batch of 1000 events in one job', async () => {
    const events = Array.from({ length: 1000 }, (_, i) =>
      event([
        { type: 'email', value: `bulk${i}@example.org` },
        { type: 'cookie_id', value: `bulk-ck-${i}` },
      ]),
    );
    const job = await ingest(service, events);
    expect(job.counts).toEqual({ applied: 1000, duplicates: 0, rejected: 0, suppressed: 0 });
    const results = await resolve(service, [
      { type: 'email', value: 'bulk999@example.org' },
      { type: 'cookie_id', value: 'bulk-ck-999' },
    ]);
    expect(results[0]!.personId).toBe(results[1]!.personId);
  });

  it('keeps a batch that cannot be applied in the dead-letter queue with its reason, and replays it', async () => {
    // A payload that bypassed the API's validation: the worker refuses it for good.
    const broken = {
      events: [{ id: 'x', source: 'web', occurredAt: 'yesterday', identifiers: [] }],
      acceptedAt: new Date().toISOString(),
    };
    const job = await service.runtime.ingest.queue.add('resolve-batch', broken, {
      jobId: 'broken-batch-1',
    });
    const failed = await waitForJob(service, job.id!);
    expect(failed.state).toBe('failed');
    expect(failed.failedReason).toContain('invalid payload');

    const letters = await http(
      service.baseUrl,
      'GET',
      '/v1/dead-letters',
      undefined,
      deadLetterListSchema,
    );
    expect(letters.body.total).toBe(1);
    expect(letters.body.items[0]).toMatchObject({
      id: 'broken-batch-1',
      events: [{ source: 'web', id: 'x' }],
    });
    expect(letters.body.items[0]!.reason).toContain('occurredAt');

    // An operator repairs the payload and replays it.
    await job.updateData({
      events: [event([{ type: 'email', value: 'hal@example.org' }], { id: 'x' })],
      acceptedAt: broken.acceptedAt,
    });
    const retried = await http(service.baseUrl, 'POST', '/v1/dead-letters/broken-batch-1/retry');
    expect(retried.status).toBe(202);
    const done = await waitForJob(service, 'broken-batch-1');
    expect(done).toMatchObject({ state: 'completed', counts: { applied: 1 } });
    expect(
      (await http(service.baseUrl, 'GET', '/v1/dead-letters', undefined, deadLetterListSchema)).body
        .total,
    ).toBe(0);
    const missing = await http(service.baseUrl, 'POST', '/v1/dead-letters/broken-batch-1/retry');
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toContain('application/problem+json');
  });
});
