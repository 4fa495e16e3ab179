import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { personSchema, resolveResponseSchema, singleResolveSchema } from '../../src/api/schemas.js';
import { clearGraph, event, http, ingest, startService, type TestService } from './harness.js';

/**
 * Scoped views: with `purpose`, a person is cut along links whose evidence did not consent to it.
 * An advertising service must never receive, or be able to infer, an identifier joined only through
 * evidence that refused advertising.
 */

let service: TestService;
let personId: string;

beforeAll(async () => {
  service = await startService();
  await clearGraph(service.graph);
  // web: email + cookie, consented to advertising. crm: email + crm id, advertising refused.
  await ingest(service, [
    event(
      [
        { type: 'email', value: 'max@example.org' },
        { type: 'cookie_id', value: 'ck-max' },
      ],
      {
        consent: { purposes: { identity_linking: true, advertising: true, analytics: true } },
      },
    ),
    event(
      [
        { type: 'email', value: 'max@example.org' },
        { type: 'crm_id', value: 'crm-max' },
      ],
      {
        source: 'crm',
        consent: { purposes: { identity_linking: true, advertising: false, analytics: true } },
      },
    ),
  ]);
  const [r] = (
    await http(
      service.baseUrl,
      'POST',
      '/v1/resolve',
      { identifiers: [{ type: 'crm_id', value: 'crm-max' }] },
      resolveResponseSchema,
    )
  ).body.results;
  personId = r!.personId!;
});
afterAll(async () => {
  await service?.close();
});

const ids = [
  { type: 'email', value: 'max@example.org' },
  { type: 'cookie_id', value: 'ck-max' },
  { type: 'crm_id', value: 'crm-max' },
];

describe('scoped views by purpose', () => {
  it('without a scope, all three identifiers are one person', async () => {
    const { results } = (
      await http(
        service.baseUrl,
        'POST',
        '/v1/resolve',
        { identifiers: ids },
        resolveResponseSchema,
      )
    ).body;
    expect(results.map((r) => r.personId)).toEqual([personId, personId, personId]);
  });

  it('for advertising, the CRM id is cut off: it gets another scoped id and is absent from the person', async () => {
    const { results } = (
      await http(
        service.baseUrl,
        'POST',
        '/v1/resolve',
        { identifiers: ids, purpose: 'advertising' },
        resolveResponseSchema,
      )
    ).body;
    const [email, cookie, crm] = results.map((r) => r.personId!);
    expect(email).toBe(cookie);
    expect(crm).not.toBe(email);
    expect(email).toMatch(new RegExp(`^${personId}~`));

    const person = await http(
      service.baseUrl,
      'GET',
      `/v1/persons/${email}?purpose=advertising`,
      undefined,
      personSchema,
    );
    expect(person.status).toBe(200);
    expect(person.body.identifiers.map((i) => i.type).sort()).toEqual(['cookie_id', 'email']);
    expect(JSON.stringify(person.body)).not.toContain('crm-max');
    expect(person.body.scope).toEqual({ purpose: 'advertising' });

    const single = await http(
      service.baseUrl,
      'GET',
      '/v1/resolve?type=crm_id&value=crm-max&purpose=advertising',
      undefined,
      singleResolveSchema,
    );
    expect(single.body.personId).toBe(crm);
    const crmPerson = await http(
      service.baseUrl,
      'GET',
      `/v1/persons/${crm}?purpose=advertising`,
      undefined,
      personSchema,
    );
    expect(crmPerson.body.identifiers.map((i) => i.type)).toEqual(['crm_id']);
  });

  it('for analytics, which both sources consented to, the person is whole and keeps its plain id', async () => {
    const { results } = (
      await http(
        service.baseUrl,
        'POST',
        '/v1/resolve',
        { identifiers: ids, purpose: 'analytics' },
        resolveResponseSchema,
      )
    ).body;
    expect(results.map((r) => r.personId)).toEqual([personId, personId, personId]);
    const person = await http(
      service.baseUrl,
      'GET',
      `/v1/persons/${personId}?purpose=analytics`,
      undefined,
      personSchema,
    );
    expect(person.body.identifiers).toHaveLength(3);
  });

  it('a plain person id asked with a scope answers the part holding its oldest identifier', async () => {
    const person = await http(
      service.baseUrl,
      'GET',
      `/v1/persons/${personId}?purpose=advertising`,
      undefined,
      personSchema,
    );
    expect(person.body.identifiers.map((i) => i.type).sort()).toEqual(['cookie_id', 'email']);
    expect(person.body.id).toMatch(new RegExp(`^${personId}~`));
  });
});

describe('scoped views by minConfidence', () => {
  it('cuts a person where only a low-confidence link holds it together', async () => {
    // A cross-device vendor asserts, at 0.7, that a second device belongs to the same person.
    await ingest(service, [
      event([
        { type: 'email', value: 'nia@example.org' },
        { type: 'device_id', value: 'dev-nia-1' },
      ]),
      event(
        [
          { type: 'device_id', value: 'dev-nia-1' },
          { type: 'device_id', value: 'dev-nia-2' },
        ],
        { source: 'xdevice', confidence: 0.7 },
      ),
    ]);
    const nia = [
      { type: 'email', value: 'nia@example.org' },
      { type: 'device_id', value: 'dev-nia-1' },
      { type: 'device_id', value: 'dev-nia-2' },
    ];
    const plain = (
      await http(
        service.baseUrl,
        'POST',
        '/v1/resolve',
        { identifiers: nia },
        resolveResponseSchema,
      )
    ).body.results;
    expect(new Set(plain.map((r) => r.personId)).size).toBe(1);

    const strict = (
      await http(
        service.baseUrl,
        'POST',
        '/v1/resolve',
        { identifiers: nia, minConfidence: 0.9 },
        resolveResponseSchema,
      )
    ).body.results;
    expect(strict[0]!.personId).toBe(strict[1]!.personId);
    expect(strict[2]!.personId).not.toBe(strict[0]!.personId);
    expect(strict.map((r) => r.confidence)).toEqual([1, 1, 1]);

    const person = await http(
      service.baseUrl,
      'GET',
      `/v1/persons/${strict[0]!.personId}?minConfidence=0.9`,
      undefined,
      personSchema,
    );
    expect(person.body.identifiers.map((i) => i.value).sort()).toEqual([
      'dev-nia-1',
      'nia@example.org',
    ]);
    const whole = await http(
      service.baseUrl,
      'GET',
      `/v1/persons/${plain[0]!.personId}`,
      undefined,
      personSchema,
    );
    expect(whole.body.identifiers.find((i) => i.value === 'dev-nia-2')!.confidence).toBe(0.7);

    const loose = (
      await http(
        service.baseUrl,
        'POST',
        '/v1/resolve',
        { identifiers: nia, minConfidence: 0.5 },
        resolveResponseSchema,
      )
    ).body.results;
    expect(loose.map((r) => r.personId)).toEqual(plain.map((r) => r.personId));
  });
});
