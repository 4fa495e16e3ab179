import { randomUUID } from 'node:crypto';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { problemSchema } from '../../src/api/problem.js';
import { auditListSchema, reviewListSchema } from '../../src/api/schemas.js';
import type { IdentityEvent } from '../../src/events/event-schema.js';
import {
  cypherStatements,
  joinStatements,
  serviceStatements,
} from '../../src/graph/cypher-loader.js';
import { createGraph } from '../../src/graph/graph-client.js';
import { createLogger } from '../../src/logger.js';
import { privacyExportSchema } from '../../src/privacy/access-export-contract.js';
import { privacyRequestAcceptedSchema } from '../../src/privacy/privacy-contract.js';
import { waitForRequest } from '../support/privacy.js';
import {
  ADMIN_KEY,
  clearGraph,
  event,
  http,
  ingest,
  resolve,
  startService,
  testKeys,
  type TestService,
} from './harness.js';

/**
 * Access requests on the real Neo4j and Redis: the export of a subject holds its identifiers with
 * their consent, the links between them, its records, events, reviews and audit trail, and nothing
 * of another person; only audit:read keys read it; it expires and the sweep deletes it.
 *
 * The service matches with a review band (as test/integration/matching.test.ts), so the subject's
 * attributes and a look-alike's make a pending review.
 */

const auditor = {
  name: 'test-auditor',
  key: 'test-auditor-key-0123456789',
  scopes: ['audit:read'],
};
const privacyWriter = {
  name: 'test-privacy',
  key: 'test-privacy-key-0123456789',
  scopes: ['privacy:write'],
};
const keys = JSON.stringify([...testKeys, auditor, privacyWriter]);
const settings = { MATCH_AUTO_THRESHOLD: '0.999', MATCH_REVIEW_THRESHOLD: '0.05' };

let service: TestService;

beforeAll(async () => {
  service = await startService({ ...settings, IDGRAPH_API_KEYS: keys });
});
afterAll(async () => {
  await service?.close();
});
beforeEach(async () => {
  await clearGraph(service.graph);
});

type Attributes = NonNullable<IdentityEvent['attributes']>;
// Same names, birth dates a fortnight apart, different cities: a review-band pair.
const maria: Attributes = {
  firstName: 'Maria',
  lastName: 'Kowalczyk',
  dateOfBirth: '1990-05-02',
  city: 'Perth',
};
const mariaElsewhere: Attributes = { ...maria, dateOfBirth: '1990-05-16', city: 'Sydney' };

async function requestAccess(
  target: TestService,
  subject: Record<string, unknown>,
): Promise<string> {
  const answer = await http(target.baseUrl, 'POST', '/v1/privacy/requests', {
    type: 'access',
    subject,
    reason: 'DSAR-1',
  });
  expect(answer.status, JSON.stringify(answer.body)).toBe(202);
  return privacyRequestAcceptedSchema.parse(answer.body).id;
}

const getExport = (target: TestService, id: string, key: string | null = auditor.key) =>
  http<unknown>(
    target.baseUrl,
    'GET',
    `/v1/privacy/requests/${id}/export`,
    undefined,
    undefined,
    key,
  );

function expectProblem(answer: { status: number; body: unknown }, status: number, code: string) {
  expect(answer.status).toBe(status);
  expect(problemSchema.parse(answer.body).code).toBe(code);
}

describe('access requests', () => {
  it("exports a merged subject's identifiers, consent, links, records, events, reviews and audit trail, and nothing of another person", async () => {
    const tag = randomUUID().slice(0, 8);
    const email1 = { type: 'email', value: `ada.${tag}@example.org` };
    const email2 = { type: 'email', value: `ada.two.${tag}@example.org` };
    const userId = { type: 'user_id', value: `u-${tag}` };
    const crmId = { type: 'crm_id', value: `c-${tag}` };
    const otherEmail = { type: 'email', value: `mk90.${tag}@shop.example` };
    const otherUser = { type: 'user_id', value: `o-${tag}` };
    const at = (minute: number) => new Date(Date.UTC(2026, 2, 1, 10, minute)).toISOString();

    const withAttributes = event([email1, crmId], {
      source: 'crm',
      occurredAt: at(1),
      attributes: maria,
      consent: { purposes: { identity_linking: true, marketing: true } },
    });
    const second = event([userId, email2], { occurredAt: at(2) });
    const joining = event([email1, userId], { occurredAt: at(3) });
    const optOut = event([email1], {
      occurredAt: at(4),
      consent: { purposes: { marketing: false } },
    });
    const other = event([otherEmail, otherUser], {
      source: 'shop',
      occurredAt: at(5),
      attributes: mariaElsewhere,
    });
    // A second user_id for the subject: the merge is refused, the link kept as evidence.
    const refused = event([email1, otherUser], { occurredAt: at(6) });
    for (const e of [withAttributes, second, joining, optOut, other, refused])
      expect((await ingest(service, [e])).state).toBe('completed');

    const [subjectPerson, otherPerson] = await resolve(service, [email1, otherEmail]);
    const personId = subjectPerson!.personId!;
    const otherId = otherPerson!.personId!;
    expect(otherId).not.toBe(personId);
    const reviews = await http(
      service.baseUrl,
      'GET',
      '/v1/reviews?status=pending',
      undefined,
      reviewListSchema,
    );
    expect(reviews.body.items).toHaveLength(1);
    const review = reviews.body.items[0]!;
    const subjectRecord = review.records.find((r) => r.source === 'crm')!;
    const otherRecord = review.records.find((r) => r.source === 'shop')!;
    const merges = await http(
      service.baseUrl,
      'GET',
      `/v1/audit?personId=${personId}&kind=merge`,
      undefined,
      auditListSchema,
    );
    expect(merges.body.records).toHaveLength(1);
    const absorbed = merges.body.records[0]!.absorbedIds![0]!;

    const id = await requestAccess(service, { personId });
    const view = await waitForRequest(service.baseUrl, id, ADMIN_KEY);
    expect(view.status).toBe('completed');
    expect(view.stepsDone).toEqual(['resolve_subject', 'export']);

    const answer = await getExport(service, id);
    expect(answer.status).toBe(200);
    const doc = privacyExportSchema.parse(answer.body);
    expect(doc.requestId).toBe(id);
    expect(doc.subject).toEqual({ personId, identifiers: 4, notFound: 0 });
    expect(doc.persons).toEqual([
      expect.objectContaining({ id: personId, mergedFrom: [absorbed] }),
    ]);

    // Identifiers, each with its person and consent: the opt-out is the current marketing state,
    // its grant the history before it.
    const byValue = new Map(doc.identifiers.map((i) => [i.value, i]));
    expect([...byValue.keys()].sort()).toEqual(
      [email1.value, email2.value, userId.value, crmId.value].sort(),
    );
    expect(doc.identifiers.every((i) => i.personId === personId)).toBe(true);
    const consent = byValue.get(email1.value)!.consent;
    expect(consent.map((c) => [c.purpose, c.granted])).toEqual([
      ['identity_linking', true],
      ['marketing', false],
    ]);
    const marketing = consent.find((c) => c.purpose === 'marketing')!;
    expect(marketing.eventKey).toBe(`web/${optOut.id}`);
    expect(marketing.history.map((h) => [h.granted, h.eventKey])).toEqual([
      [true, `crm/${withAttributes.id}`],
      [false, `web/${optOut.id}`],
    ]);

    // The links between the subject's identifiers, with provenance; the refused one to the other
    // person's user_id is withheld.
    const pairs = doc.links.map((l) => [l.from.value, l.to.value].sort().join(' ')).sort();
    expect(pairs).toEqual(
      [
        [crmId.value, email1.value],
        [email2.value, userId.value],
        [email1.value, userId.value],
      ]
        .map((p) => p.sort().join(' '))
        .sort(),
    );
    const joinLink = doc.links.find((l) => l.evidenceEvents.includes(`web/${joining.id}`))!;
    expect(joinLink).toMatchObject({ status: 'active', method: 'deterministic', sources: ['web'] });
    expect(doc.links.find((l) => l.sources.includes('crm'))!.purposes).toEqual(
      expect.arrayContaining(['identity_linking', 'marketing']),
    );

    // The record with its attribute values; the review names the subject's record only.
    expect(doc.records).toEqual([
      expect.objectContaining({
        id: subjectRecord.id,
        eventKey: `crm/${withAttributes.id}`,
        anchor: { type: 'crm_id', value: crmId.value },
        values: expect.objectContaining({ dateOfBirth: '1990-05-02' }) as unknown,
      }),
    ]);
    expect(doc.reviews).toEqual([
      expect.objectContaining({ id: review.id, status: 'pending', records: [subjectRecord.id] }),
    ]);

    // Every event that mentions the subject, cut to the subject's identifiers.
    expect(doc.events.map((e) => e.key)).toEqual(
      [withAttributes, second, joining, optOut, refused].map((e) => `${e.source}/${e.id}`),
    );
    expect(doc.events[0]).toMatchObject({ attributes: maria, identifiers: [email1, crmId] });
    expect(doc.events[3]!.consent).toEqual({ purposes: { marketing: false } });
    expect(doc.events[4]!.identifiers).toEqual([email1]);

    // The audit trail of the person and the id merged into it, other persons' ids left out.
    const kinds = doc.audit.map((a) => a.kind);
    expect(kinds).toEqual(expect.arrayContaining(['merge', 'merge_refused', 'privacy_request']));
    const refusal = doc.audit.find((a) => a.kind === 'merge_refused')!;
    expect(refusal.personIds).toEqual([personId]);
    expect(doc.withheld).toEqual({
      links: 1,
      eventIdentifiers: 1,
      eventAttributes: 0,
      reviewRecords: 1,
      auditPersonIds: 1,
    });

    // Nothing of the other person: values, ids, attributes.
    const text = JSON.stringify(answer.body).toLowerCase();
    for (const trace of [
      otherEmail.value,
      otherUser.value,
      otherId,
      otherRecord.id,
      `shop/${other.id}`,
      '1990-05-16',
      'sydney',
    ])
      expect(text).not.toContain(trace.toLowerCase());

    // The report counts what was exported; the audit trail records the export, ids only.
    expect(view.report?.exported).toEqual({
      identifiers: 4,
      persons: 1,
      links: 3,
      records: 1,
      events: 5,
      reviews: 1,
      auditRecords: doc.audit.length,
    });
    const trail = await http(
      service.baseUrl,
      'GET',
      `/v1/audit?kind=access_export`,
      undefined,
      auditListSchema,
    );
    expect(trail.body.records).toEqual([
      expect.objectContaining({
        requestId: id,
        requestType: 'access',
        actor: 'test-admin',
        personIds: [personId],
      }),
    ]);
    expect(JSON.stringify(trail.body)).not.toContain(tag);
  });

  it('answers the export to audit:read keys only, 409 before completion, 404 for other types', async () => {
    const tag = randomUUID().slice(0, 8);
    const email = { type: 'email', value: `scope.${tag}@example.org` };
    await ingest(service, [event([email])]);
    const id = await requestAccess(service, { identifiers: [email] });
    expect((await waitForRequest(service.baseUrl, id, ADMIN_KEY)).status).toBe('completed');

    expect((await getExport(service, id)).status).toBe(200);
    expectProblem(await getExport(service, id, null), 401, 'UNAUTHORIZED');
    for (const key of [privacyWriter.key, testKeys[1]!.key, testKeys[2]!.key]) {
      const refused = await getExport(service, id, key);
      expectProblem(refused, 403, 'INSUFFICIENT_SCOPE');
      expect(JSON.stringify(refused.body)).not.toContain(tag);
    }

    expectProblem(await getExport(service, 'prq_unknown'), 404, 'PRIVACY_REQUEST_NOT_FOUND');
    const unsuppress = await http(service.baseUrl, 'POST', '/v1/privacy/requests', {
      type: 'unsuppress',
      subject: { identifiers: [email] },
      reason: 'DSAR-2',
    });
    const unsuppressId = privacyRequestAcceptedSchema.parse(unsuppress.body).id;
    await waitForRequest(service.baseUrl, unsuppressId, ADMIN_KEY);
    // The request exists: its type has no export (409), where a 404 would say it is gone.
    expectProblem(await getExport(service, unsuppressId), 409, 'NOT_AN_ACCESS_REQUEST');

    // An API without workers: the request stays pending.
    const apiOnly = await startService({ IDGRAPH_API_KEYS: keys }, 'api');
    try {
      const pending = await requestAccess(apiOnly, { identifiers: [email] });
      expectProblem(await getExport(apiOnly, pending), 409, 'REQUEST_NOT_COMPLETED');
    } finally {
      await apiOnly.close();
    }
  });

  it('deletes the export when it expires', async () => {
    // 1.8 seconds.
    const shortLived = await startService({
      IDGRAPH_API_KEYS: keys,
      PRIVACY_EXPORT_TTL_HOURS: '0.0005',
    });
    const graph = createGraph({
      uri: shortLived.config.NEO4J_URI!,
      user: shortLived.config.NEO4J_USER,
      password: shortLived.config.NEO4J_PASSWORD,
      logger: createLogger('warn'),
      statements: joinStatements(
        serviceStatements(),
        cypherStatements(
          dirname(fileURLToPath(import.meta.url)).replace(/integration$/, 'support'),
          ['cypher/read/privacy-exports'] as const,
        ),
      ),
    });
    try {
      const email = { type: 'email', value: `ttl.${randomUUID().slice(0, 8)}@example.org` };
      await ingest(shortLived, [event([email])]);
      const id = await requestAccess(shortLived, { identifiers: [email] });
      expect((await waitForRequest(shortLived.baseUrl, id, ADMIN_KEY)).status).toBe('completed');
      const [stored] = await graph.query<{ createdAt: number; expiresAt: number }>(
        'cypher/read/privacy-exports',
        { requestId: id },
      );
      expect(stored!.expiresAt - stored!.createdAt).toBe(1800);

      const deadline = Date.now() + 30_000;
      while ((await graph.query('cypher/read/privacy-exports', { requestId: id })).length > 0) {
        expect(Date.now()).toBeLessThan(deadline);
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(Date.now()).toBeGreaterThanOrEqual(stored!.expiresAt);
      expectProblem(await getExport(shortLived, id), 404, 'EXPORT_NOT_FOUND');
    } finally {
      await graph.close();
      await shortLived.close();
    }
  });
});
