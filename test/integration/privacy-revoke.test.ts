import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  auditListSchema,
  personConsentSchema,
  personLinksSchema,
  personSchema,
} from '../../src/api/schemas.js';
import type { ChangeItem } from '../../src/changes/change-contract.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import {
  type PrivacyRequestView,
  privacyRequestAcceptedSchema,
} from '../../src/privacy/privacy-contract.js';
import type { PrivacyStep } from '../../src/privacy/privacy-step.js';
import { revokeSteps } from '../../src/privacy/revoke-steps.js';
import { createRuntime } from '../../src/runtime.js';
import { waitForRequest } from '../support/privacy.js';
import { feedWhen, replay } from './feed-reader.js';
import {
  ADMIN_KEY,
  clearGraph,
  event,
  http,
  ingest,
  invariants,
  noViolations,
  partitionOf,
  resolve,
  type TestService,
  testEnv,
} from './harness.js';

/**
 * Revoke requests on the real Neo4j and Redis, through the API: revoking identity_linking for one
 * identifier splits its person (audited, in the change feed), later events carrying it link
 * nothing until a newer event grants identity_linking again, revoking another purpose narrows
 * scoped views as soon as the request completes, and a revocation racing a stream of batches ends
 * with the graph a serial order gives. The revoke steps run in pages of two identifiers here, so
 * every subject of more than two spans several transactions.
 */

let service: TestService;

/**
 * With `interruptNext` set, the next withdraw_links runs all its pages without marking itself done
 * and then fails, as a worker killed after its last page's commit would: the job's next attempt
 * runs the step again from its first page.
 */
let interruptNext = false;
function interruptible(step: PrivacyStep): PrivacyStep {
  return {
    name: step.name,
    async run(ctx) {
      if (!interruptNext) return step.run(ctx);
      interruptNext = false;
      await step.run({ ...ctx, write: (name, work) => ctx.write(name, work) });
      throw new Error('interrupted after its last page');
    },
  };
}

beforeAll(async () => {
  const config = loadConfig(testEnv({ WORKER_CONCURRENCY: '2', JOB_ATTEMPTS: '3' }));
  const runtime = await createRuntime(config, {
    role: 'all',
    logger: createLogger(config.LOG_LEVEL),
    privacySteps: (steps) => ({
      ...steps,
      revoke: revokeSteps(2).map((step) =>
        step.name === 'withdraw_links' ? interruptible(step) : step,
      ),
    }),
  });
  const baseUrl = await runtime.app!.listen({ host: '127.0.0.1', port: 0 });
  service = { config, runtime, baseUrl, graph: runtime.graph, close: () => runtime.close() };
});
afterAll(async () => {
  await service?.close();
});
beforeEach(async () => {
  await clearGraph(service.graph);
});

const email = (value: string) => ({ type: 'email', value });
const cookie = (value: string) => ({ type: 'cookie_id', value });
const phone = (value: string) => ({ type: 'phone', value });
type Id = { type: string; value: string };

async function revoke(identifiers: Id[], purposes: string[]): Promise<PrivacyRequestView> {
  const answer = await http(service.baseUrl, 'POST', '/v1/privacy/requests', {
    type: 'revoke',
    subject: { identifiers },
    purposes,
    reason: 'ticket PRIV-7',
  });
  expect(answer.status, JSON.stringify(answer.body)).toBe(202);
  const { id } = privacyRequestAcceptedSchema.parse(answer.body);
  const view = await waitForRequest(service.baseUrl, id, ADMIN_KEY);
  expect(view.status, JSON.stringify(view.failure)).toBe('completed');
  return view;
}

async function personOf(id: Id): Promise<string> {
  const [result] = await resolve(service, [id]);
  return result!.personId!;
}

async function person(personId: string, purpose?: string) {
  const query = purpose ? `?purpose=${purpose}` : '';
  const answer = await http(
    service.baseUrl,
    'GET',
    `/v1/persons/${personId}${query}`,
    undefined,
    personSchema,
  );
  expect(answer.status).toBe(200);
  return answer.body;
}

async function auditOf(requestId: string) {
  const answer = await http(
    service.baseUrl,
    'GET',
    '/v1/audit?limit=1000',
    undefined,
    auditListSchema,
  );
  // The request's own `privacy_request` record aside: what its steps wrote.
  return answer.body.records.filter(
    (r) => r.requestId === requestId && r.kind !== 'privacy_request',
  );
}

async function linksOf(personId: string) {
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

const activeLinkIds = async (personId: string) =>
  (await linksOf(personId))
    .filter((l) => l.status === 'active')
    .map((l) => l.id)
    .sort();

describe('revoke requests', () => {
  it('revoking identity_linking for one identifier of a three-identifier person splits it: report, audit trail and change feed name the split', async () => {
    const ann = email('ann@example.org');
    const ck = cookie('ck-ann');
    const tel = phone('+44 20 7946 0001');
    await ingest(service, [event([ann, ck])]);
    await ingest(service, [event([ck, tel])]);
    const personId = await personOf(ann);
    expect(await personOf(tel)).toBe(personId);
    const telLink = (await linksOf(personId)).find(
      (l) => l.to.type === 'phone' || l.from.type === 'phone',
    )!;

    const view = await revoke([tel], ['identity_linking']);

    const telPerson = await personOf(tel);
    expect(telPerson).not.toBe(personId);
    expect(await personOf(ann)).toBe(personId);
    expect(await personOf(ck)).toBe(personId);
    expect(view.report).toMatchObject({
      subject: { identifiers: 1, notFound: 0 },
      linksWithdrawn: [telLink.id],
      personsSplit: [{ personId, parts: [telPerson] }],
    });
    expect(await activeLinkIds(personId)).not.toContain(telLink.id);
    expect((await linksOf(telPerson)).map((l) => l.id)).toEqual([]);
    expect(await invariants(service.graph)).toEqual(noViolations);

    const audit = await auditOf(view.id);
    expect(audit.map((r) => r.kind).sort()).toEqual(['consent_revoked', 'link_withdrawn', 'split']);
    for (const record of audit)
      expect(record).toMatchObject({ actor: 'test-admin', requestType: 'revoke' });
    expect(audit.find((r) => r.kind === 'link_withdrawn')).toMatchObject({
      linkIds: [telLink.id],
      count: 1,
      reason: 'consent_revoked',
      personIds: [personId],
    });
    expect(audit.find((r) => r.kind === 'split')).toMatchObject({
      reason: 'consent_revoked',
      personIds: [personId, telPerson],
      linkIds: [telLink.id],
    });
    expect(audit.find((r) => r.kind === 'consent_revoked')).toMatchObject({
      personIds: [personId],
      purposes: ['identity_linking'],
      count: 1,
    });

    const items = await feedWhen(service.baseUrl, (all) =>
      all.some((i) => i.type === 'person.split'),
    );
    const about = (item: ChangeItem) => item.type !== 'person.created';
    expect(items.filter(about).map(({ at: _at, cursor: _c, ...rest }) => rest)).toEqual([
      {
        type: 'consent.changed',
        personId,
        purposes: ['identity_linking'],
        granted: false,
        identifiers: 1,
      },
      { type: 'person.split', personId, parts: [telPerson] },
      { type: 'identifier.moved', fromPersonId: personId, toPersonId: telPerson, count: 1 },
    ]);
  });

  it('revoking identity_linking for the anchor of an event of four keeps the other three one person, linked again with the event’s provenance', async () => {
    // Keys sort cookie_id < device_id < email < phone: the cookie is the event's anchor.
    const ck = cookie('ck-eve');
    const dev = { type: 'device_id', value: 'dev-eve' };
    const em = email('eve@example.org');
    const tel = phone('+44 20 7946 0003');
    const seen = event([tel, em, dev, ck], {
      source: 'app',
      consent: { purposes: { identity_linking: true, analytics: true, marketing: true } },
    });
    await ingest(service, [seen]);
    const personId = await personOf(ck);
    const before = await linksOf(personId);
    // One link per identifier, at the anchor: three, not the six pairs.
    expect(before.map((l) => `${l.from.type}|${l.to.type}`).sort()).toEqual([
      'cookie_id|device_id',
      'cookie_id|email',
      'cookie_id|phone',
    ]);
    // The phone's marketing consent was revoked before: its links do not carry marketing again.
    await revoke([tel], ['marketing']);

    const view = await revoke([ck], ['identity_linking']);

    const rest = await personOf(dev);
    expect(await personOf(em)).toBe(rest);
    expect(await personOf(tel)).toBe(rest);
    expect(await personOf(ck)).not.toBe(rest);
    expect(view.report?.linksWithdrawn).toHaveLength(3);
    const relinked = (await linksOf(rest)).filter((l) => l.status === 'active');
    expect(relinked.map((l) => `${l.from.type}|${l.to.type}`).sort()).toEqual([
      'device_id|email',
      'device_id|phone',
    ]);
    for (const link of relinked)
      expect(link).toMatchObject({
        method: 'deterministic',
        rule: 'same_event',
        sources: ['app'],
        evidenceEvents: [`app/${seen.id}`],
        firstSeen: seen.occurredAt,
      });
    const purposesOf = (type: string) => relinked.find((l) => l.to.type === type)!.purposes.sort();
    expect(purposesOf('email')).toEqual(['analytics', 'identity_linking', 'marketing']);
    expect(purposesOf('phone')).toEqual(['analytics', 'identity_linking']);
    expect(await invariants(service.graph)).toEqual(noViolations);
  });

  it('later events carrying a revoked identifier link nothing, an older grant replayed neither, until a newer event grants identity_linking', async () => {
    const bo = email('bo@example.org');
    const ck = cookie('ck-bo');
    const other = cookie('ck-bo-2');
    const old = event([bo, ck], { consent: { purposes: { identity_linking: true } } });
    await ingest(service, [old]);
    const personId = await personOf(bo);
    const view = await revoke([ck], ['identity_linking']);
    const ckPerson = await personOf(ck);
    const boPerson = await personOf(bo);
    // Both seen first in one event: the smaller key (the cookie) is the oldest and keeps the id.
    expect(ckPerson).toBe(personId);
    expect(view.report?.personsSplit).toEqual([{ personId, parts: [boPerson] }]);

    // After the request, without consent, and the original (older) grant replayed under a new id.
    await ingest(service, [event([bo, ck], { occurredAt: new Date().toISOString() })]);
    await ingest(service, [event([ck, other], { occurredAt: new Date().toISOString() })]);
    await ingest(service, [{ ...old, id: `${old.id}-replayed` }]);
    expect(await personOf(ck)).toBe(ckPerson);
    expect(await personOf(bo)).toBe(boPerson);
    expect(await personOf(other)).not.toBe(ckPerson);
    expect(await activeLinkIds(ckPerson)).toEqual([]);

    const consent = await http(
      service.baseUrl,
      'GET',
      `/v1/persons/${ckPerson}/consent`,
      undefined,
      personConsentSchema,
    );
    const linking = consent.body.purposes.find((p) => p.purpose === 'identity_linking')!;
    expect(linking.identifiers[0]!.current).toMatchObject({ granted: false, requestId: view.id });

    await ingest(service, [
      event([bo, ck], {
        occurredAt: new Date(Date.now() + 1000).toISOString(),
        consent: { purposes: { identity_linking: true } },
      }),
    ]);
    expect(await personOf(ck)).toBe(await personOf(bo));
    expect(await invariants(service.graph)).toEqual(noViolations);
  });

  it('revoking another purpose narrows scoped views when the request completes, without withdrawing or splitting', async () => {
    const cy = email('cy@example.org');
    const ck = cookie('ck-cy');
    const tel = phone('+44 20 7946 0002');
    const tv = cookie('ck-cy-tv');
    const purposes = { identity_linking: true, marketing: true, analytics: true };
    await ingest(service, [
      event([cy, ck], { consent: { purposes } }),
      event([cy, tel], { consent: { purposes } }),
      event([tel, tv], { consent: { purposes } }),
    ]);
    const personId = await personOf(cy);
    expect((await person(personId, 'marketing')).identifiers).toHaveLength(4);
    const links = await activeLinkIds(personId);
    expect(links).toHaveLength(3);

    // Three identifiers: two pages.
    const view = await revoke([ck, tel, cy], ['marketing']);

    const report = view.report!;
    expect(report.linksWithdrawn ?? []).toEqual([]);
    expect(report.personsSplit).toBeUndefined();
    expect(Object.keys(report.purposesRemoved!).sort()).toEqual(links);
    for (const lost of Object.values(report.purposesRemoved!)) expect(lost).toEqual(['marketing']);

    expect((await person(personId)).identifiers).toHaveLength(4);
    expect(await activeLinkIds(personId)).toEqual(links);
    for (const link of await linksOf(personId)) {
      expect(link.purposes).not.toContain('marketing');
      expect(link.purposes).toContain('analytics');
    }
    // Every link touches a subject identifier: for marketing each identifier stands alone.
    const marketing = await http(
      service.baseUrl,
      'POST',
      '/v1/resolve',
      { identifiers: [cy, ck, tel, tv], purpose: 'marketing' },
      undefined,
    );
    const marketingIds = (marketing.body as { results: { personId: string }[] }).results.map(
      (r) => r.personId,
    );
    expect(new Set(marketingIds).size).toBe(4);
    expect((await person(personId, 'analytics')).identifiers).toHaveLength(4);

    const audit = await auditOf(view.id);
    expect(audit.filter((r) => r.kind === 'link_withdrawn')).toEqual([]);
    const narrowed = audit.filter((r) => r.kind === 'consent_revoked' && r.linkIds);
    expect(narrowed.flatMap((r) => r.linkIds!).sort()).toEqual(links);

    // Run again: nothing left to change, nothing reported.
    const again = await revoke([ck, tel, cy], ['marketing']);
    expect(again.report?.purposesRemoved).toBeUndefined();
    expect(await auditOf(again.id)).toEqual([]);
  });

  it('a revocation racing a stream of batches ends as a serial order would: the subject linked to nothing, every other pair joined, the feed describing the graph', async () => {
    const subject = email('dee@example.org');
    const friends = [cookie('ck-dee-1'), cookie('ck-dee-2'), phone('+44 20 7946 0003')];
    await ingest(service, [
      event([subject, friends[0]!]),
      event([subject, friends[1]!]),
      event([friends[1]!, friends[2]!]),
    ]);
    const batches = Array.from({ length: 12 }, (_, b) => [
      event([subject, cookie(`ck-dee-new-${b}`)]),
      event([cookie(`ck-x-${b}`), cookie(`ck-y-${b}`)]),
      event([subject, cookie(`ck-x-${b}`)]),
    ]);
    const posted: Promise<unknown>[] = [];
    for (const [b, events] of batches.entries()) {
      posted.push(ingest(service, events));
      if (b === 4) posted.push(revoke([subject, friends[0]!, friends[1]!], ['identity_linking']));
      await new Promise((r) => setTimeout(r, 20));
    }
    await Promise.all(posted);

    // Serially, each subject identifier ends linked to nothing, whether an event came before the
    // request (its link withdrawn) or after it (nothing linked): each is a person of its own.
    const subjectIds = [subject, friends[0]!, friends[1]!];
    const subjectPersons = (await resolve(service, subjectIds)).map((r) => r.personId!);
    expect(new Set(subjectPersons).size).toBe(3);
    for (const personId of subjectPersons) {
      expect((await person(personId)).identifiers).toHaveLength(1);
      expect(await activeLinkIds(personId)).toEqual([]);
    }
    const others = [
      friends[2]!,
      ...batches.flatMap((_, b) => [
        cookie(`ck-dee-new-${b}`),
        cookie(`ck-x-${b}`),
        cookie(`ck-y-${b}`),
      ]),
    ];
    const otherPersons = (await resolve(service, others)).map((r) => r.personId);
    for (const personId of otherPersons) expect(subjectPersons).not.toContain(personId);
    for (let b = 0; b < batches.length; b++)
      expect(otherPersons[2 + 3 * b]).toBe(otherPersons[3 + 3 * b]);
    expect(await invariants(service.graph)).toEqual(noViolations);

    const partition = await partitionOf(service.graph);
    const active = new Set(partition.values());
    const items = await feedWhen(service.baseUrl, (all) => {
      try {
        const replayed = replay(all);
        return replayed.size === active.size && [...active].every((id) => replayed.has(id));
      } catch {
        return false;
      }
    });
    expect(items.some((i) => i.type === 'person.split')).toBe(true);
  });

  it('withdraw_links run again after an interruption changes and reports nothing twice', async () => {
    const [a, b, c, d] = [
      email('eve@example.org'),
      cookie('ck-eve'),
      cookie('ck-eve-2'),
      phone('+44 20 7946 0004'),
    ];
    const purposes = { identity_linking: true, marketing: true };
    await ingest(service, [
      event([a, b], { consent: { purposes } }),
      event([b, c], { consent: { purposes } }),
      event([c, d], { consent: { purposes } }),
    ]);
    const personId = await personOf(a);
    const links = await activeLinkIds(personId);
    expect(links).toHaveLength(3);

    interruptNext = true;
    const view = await revoke([a, b, c], ['identity_linking', 'marketing']);

    expect(interruptNext).toBe(false);
    expect(view.stepsDone).toEqual(['resolve_subject', 'record_denials', 'withdraw_links']);
    const report = view.report!;
    expect([...report.linksWithdrawn!].sort()).toEqual(links);
    expect(Object.keys(report.purposesRemoved!).sort()).toEqual(links);
    for (const lost of Object.values(report.purposesRemoved!))
      expect(lost).toEqual(['identity_linking', 'marketing']);
    const persons = (await resolve(service, [a, b, c, d])).map((r) => r.personId!);
    expect(new Set(persons).size).toBe(4);
    expect(persons).toContain(personId);
    const parts = report.personsSplit!.flatMap((s) => s.parts);
    expect(new Set(parts).size).toBe(parts.length);
    expect([personId, ...parts].sort()).toEqual([...persons].sort());

    const audit = await auditOf(view.id);
    const kinds = audit.map((r) => r.kind);
    // One record per person, page and purposes lost, naming its links: each link once in all.
    const withdrawals = audit.filter((r) => r.kind === 'link_withdrawn');
    expect(withdrawals.flatMap((r) => r.linkIds!).sort()).toEqual(links);
    for (const record of withdrawals) expect(record.count).toBe(record.linkIds!.length);
    expect(kinds.filter((k) => k === 'split')).toHaveLength(report.personsSplit!.length);
    // One per person and page (two pages): three identifiers denied in all, each once.
    const denials = audit.filter((r) => r.kind === 'consent_revoked');
    expect(denials.reduce((n, r) => n + r.count!, 0)).toBe(3);
    const items = await feedWhen(service.baseUrl, (all) =>
      all.some((i) => i.type === 'person.split'),
    );
    expect(items.filter((i) => i.type === 'person.split')).toHaveLength(
      report.personsSplit!.length,
    );
    const consent = items.filter((i) => i.type === 'consent.changed');
    // The feed oldest first, the audit trail newest first.
    expect(consent.map((i) => i.identifiers)).toEqual(denials.map((r) => r.count).reverse());
  });
});
