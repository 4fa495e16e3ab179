import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  appliedResponseSchema,
  auditListSchema,
  deadLetterListSchema,
  enqueueResponseSchema,
  identifierViewSchema,
  jobResponseSchema,
  personLinksSchema,
  personSchema,
  resolveResponseSchema,
  singleResolveSchema,
} from '../../src/api/schemas.js';
import { freePort, ensureRedis } from '../../scripts/local-services.mjs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  clearGraph,
  event,
  expectProblem,
  http,
  startService,
  type TestService,
  testKeys,
} from './harness.js';

/**
 * The HTTP contract, through real HTTP, with answers parsed by the routes' own zod schemas:
 * every route, its status codes, auth and scopes, and the problem+json error shape.
 */

let service: TestService;
const reader = testKeys[1]!.key;
const writer = testKeys[2]!.key;

beforeAll(async () => {
  service = await startService();
  await clearGraph(service.graph);
});
afterAll(async () => {
  await service?.close();
});

describe('auth', () => {
  it('answers 401 without a key or with an unknown one, and 403 for a missing scope', async () => {
    const missing = await http(
      service.baseUrl,
      'POST',
      '/v1/resolve',
      { identifiers: [{ type: 'email', value: 'a@b.io' }] },
      undefined,
      null,
    );
    expectProblem(missing, 401, 'UNAUTHORIZED');
    expect(missing.headers.get('www-authenticate')).toBe('Bearer');
    const unknown = await http(
      service.baseUrl,
      'GET',
      '/v1/audit',
      undefined,
      undefined,
      'not-a-real-key-at-all',
    );
    expectProblem(unknown, 401, 'UNAUTHORIZED');
    const wrongScope = await http(
      service.baseUrl,
      'POST',
      '/v1/events',
      { events: [event([{ type: 'email', value: 'x@y.io' }])] },
      undefined,
      reader,
    );
    expectProblem(wrongScope, 403, 'INSUFFICIENT_SCOPE');
    const readerAudit = await http(
      service.baseUrl,
      'GET',
      '/v1/audit',
      undefined,
      undefined,
      reader,
    );
    expectProblem(readerAudit, 403, 'INSUFFICIENT_SCOPE');
    const writerRead = await http(
      service.baseUrl,
      'GET',
      '/v1/resolve?type=email&value=x%40y.io',
      undefined,
      undefined,
      writer,
    );
    expectProblem(writerRead, 403, 'INSUFFICIENT_SCOPE');
  });

  it('keeps health, readiness, metrics and the OpenAPI document open', async () => {
    for (const path of ['/healthz', '/readyz', '/metrics', '/openapi.json']) {
      const answer = await http(service.baseUrl, 'GET', path, undefined, undefined, null);
      expect(answer.status, path).toBe(200);
    }
  });
});

describe('ingest and lookups', () => {
  let personId: string;

  it('POST /v1/events answers 202 with a job, and the job reports its outcome', async () => {
    const posted = await http(
      service.baseUrl,
      'POST',
      '/v1/events',
      { events: [event([{ type: 'email', value: 'ivy@example.org' }])] },
      enqueueResponseSchema,
      writer,
    );
    expect(posted.status).toBe(202);
    expect(posted.body.accepted).toBe(1);
    expect(posted.headers.get('location')).toBe(`/v1/jobs/${posted.body.jobId}`);
    const job = await http(
      service.baseUrl,
      'GET',
      `/v1/jobs/${posted.body.jobId}`,
      undefined,
      jobResponseSchema,
      writer,
    );
    expect(job.status).toBe(200);
    expectProblem(
      await http(service.baseUrl, 'GET', '/v1/jobs/nope', undefined, undefined, writer),
      404,
      'JOB_NOT_FOUND',
    );
  });

  it('POST /v1/events?wait=true answers 200 with the person ids of each event (read-your-writes)', async () => {
    const events = [
      event([
        { type: 'email', value: 'jon@example.org' },
        { type: 'phone', value: '+14155550142' },
      ]),
      event([
        { type: 'phone', value: '+14155550142' },
        { type: 'crm_id', value: 'crm-jon' },
      ]),
      event([{ type: 'email', value: 'nope' }]),
    ];
    const answer = await http(
      service.baseUrl,
      'POST',
      '/v1/events?wait=true',
      { events },
      appliedResponseSchema,
      writer,
    );
    expect(answer.status).toBe(200);
    expect(answer.body.counts).toEqual({ applied: 2, duplicates: 0, rejected: 1, suppressed: 0 });
    expect(answer.body.events.map((e) => e.status)).toEqual(['applied', 'applied', 'rejected']);
    personId = answer.body.events[1]!.personIds[0]!;
    // The consistency token makes a later read include this write, on any process or replica.
    const token = answer.headers.get('x-idgraph-consistency');
    expect(token).toBeTruthy();
    const read = await fetch(`${service.baseUrl}/v1/resolve?type=crm_id&value=crm-jon`, {
      headers: { authorization: `Bearer ${reader}`, 'x-idgraph-consistency': token! },
    });
    expect(singleResolveSchema.parse(await read.json()).personId).toBe(personId);
    const bad = await fetch(`${service.baseUrl}/v1/resolve?type=crm_id&value=crm-jon`, {
      headers: { authorization: `Bearer ${reader}`, 'x-idgraph-consistency': 'garbage' },
    });
    expect(bad.status).toBe(400);
    expect(answer.body.events[0]!.personIds).toEqual([personId]);
    const again = await http(
      service.baseUrl,
      'POST',
      '/v1/events?wait=true',
      { events: events.slice(0, 1) },
      appliedResponseSchema,
      writer,
    );
    expect(again.body.events[0]).toMatchObject({ status: 'duplicate', personIds: [personId] });
  });

  it('/metrics times each statement of the batch transaction and its commit, by name', async () => {
    const text = await (await fetch(`${service.baseUrl}/metrics`)).text();
    const count = (metric: string, label: string) =>
      Number(new RegExp(`^${metric}_count\\{${label}\\} (\\d+)$`, 'm').exec(text)?.[1] ?? 0);
    // The wait=true batch above was resolved by this process's worker, in one transaction.
    const statement = 'idgraph_graph_statement_duration_seconds';
    expect(count(statement, 'statement="write/claim-batch"')).toBeGreaterThanOrEqual(1);
    expect(count(statement, 'statement="write/apply-plan"')).toBeGreaterThanOrEqual(1);
    const commit = 'idgraph_graph_commit_duration_seconds';
    expect(count(commit, 'transaction="resolve-batch"')).toBeGreaterThanOrEqual(1);
    // Labels name statements, never values.
    expect(text).not.toContain('ivy@example.org');
  });

  it('GET /v1/resolve answers the person, or 404', async () => {
    const found = await http(
      service.baseUrl,
      'GET',
      '/v1/resolve?type=phone&value=%2B1%20415%20555%200142',
      undefined,
      singleResolveSchema,
      reader,
    );
    expect(found.status).toBe(200);
    expect(found.body).toMatchObject({ personId, confidence: 1, identifier: { type: 'phone' } });
    expectProblem(
      await http(
        service.baseUrl,
        'GET',
        '/v1/resolve?type=email&value=ghost%40example.org',
        undefined,
        undefined,
        reader,
      ),
      404,
      'IDENTIFIER_NOT_FOUND',
    );
    expectProblem(
      await http(service.baseUrl, 'GET', '/v1/resolve?type=email', undefined, undefined, reader),
      400,
      'VALIDATION_FAILED',
    );
  });

  it('POST /v1/resolve answers in request order with reasons for nulls', async () => {
    const answer = await http(
      service.baseUrl,
      'POST',
      '/v1/resolve',
      {
        identifiers: [
          { type: 'crm_id', value: 'crm-jon' },
          { type: 'email', value: 'null' },
          { type: 'email', value: 'ghost@example.org' },
          { type: 'fax', value: '1' },
          { type: 'email', value: 'JON@example.org' },
        ],
      },
      resolveResponseSchema,
      reader,
    );
    expect(answer.body.results.map((r) => [r.personId, r.reason])).toEqual([
      [personId, undefined],
      [null, 'blocked'],
      [null, 'not_found'],
      [null, 'unknown_type'],
      [personId, undefined],
    ]);
  });

  it('GET /v1/persons/{id}, /links and /v1/identifiers/{type}/{value}', async () => {
    const person = await http(
      service.baseUrl,
      'GET',
      `/v1/persons/${personId}`,
      undefined,
      personSchema,
      reader,
    );
    expect(person.body.identifiers.map((i) => i.type).sort()).toEqual(['crm_id', 'email', 'phone']);
    expect(
      person.body.identifiers.every((i) => i.confidence === 1 && i.sources.includes('web')),
    ).toBe(true);
    const links = await http(
      service.baseUrl,
      'GET',
      `/v1/persons/${personId}/links`,
      undefined,
      personLinksSchema,
      reader,
    );
    expect(links.body.links).toHaveLength(2);
    expect(links.body.links[0]).toMatchObject({
      status: 'active',
      method: 'deterministic',
      rule: 'same_event',
      confidence: 1,
      evidenceCount: 1,
      sources: ['web'],
    });
    const identifier = await http(
      service.baseUrl,
      'GET',
      `/v1/identifiers/email/${encodeURIComponent(' Jon@Example.org')}`,
      undefined,
      identifierViewSchema,
      reader,
    );
    expect(identifier.body).toMatchObject({ type: 'email', value: 'jon@example.org', personId });
    expect(identifier.body.links.map((l) => l.other.type)).toEqual(['phone']);
    expectProblem(
      await http(service.baseUrl, 'GET', '/v1/persons/per_unknown', undefined, undefined, reader),
      404,
      'PERSON_NOT_FOUND',
    );
    expectProblem(
      await http(
        service.baseUrl,
        'GET',
        '/v1/identifiers/email/ghost%40x.io',
        undefined,
        undefined,
        reader,
      ),
      404,
      'IDENTIFIER_NOT_FOUND',
    );
  });

  it('GET /v1/audit and /v1/dead-letters answer their schemas', async () => {
    expect(
      (await http(service.baseUrl, 'GET', '/v1/audit?limit=5', undefined, auditListSchema)).status,
    ).toBe(200);
    expect(
      (await http(service.baseUrl, 'GET', '/v1/dead-letters', undefined, deadLetterListSchema))
        .status,
    ).toBe(200);
    expectProblem(
      await http(service.baseUrl, 'POST', '/v1/dead-letters/none/retry'),
      404,
      'DEAD_LETTER_NOT_FOUND',
    );
  });
});

describe('errors', () => {
  it('answers 400 with the JSON path of each bad field, never echoing the value', async () => {
    const secret = 'private.person@example.org';
    const answer = await http(service.baseUrl, 'POST', '/v1/events', {
      events: [
        {
          id: '1',
          source: 'web',
          occurredAt: secret,
          identifiers: [{ type: 'email', value: secret, extra: 1 }],
        },
      ],
    });
    const problem = expectProblem(answer, 400, 'VALIDATION_FAILED');
    expect(problem.errors?.map((e) => e.path)).toEqual(
      expect.arrayContaining(['$.body.events[0].occurredAt']),
    );
    expect(JSON.stringify(answer.body)).not.toContain(secret);
    expectProblem(
      await http(service.baseUrl, 'POST', '/v1/events', '{"events": ['),
      400,
      'INVALID_JSON',
    );
    expectProblem(
      await http(service.baseUrl, 'POST', '/v1/events', { events: [] }),
      400,
      'VALIDATION_FAILED',
    );
    expectProblem(await http(service.baseUrl, 'GET', '/v1/nothing-here'), 404, 'ROUTE_NOT_FOUND');
  });

  it('answers 413 for a body over the limit', async () => {
    const huge = JSON.stringify({
      events: [
        event([{ type: 'email', value: 'a@b.io' }], { attributes: { note: 'x'.repeat(1000) } }),
      ],
    }).replace('"note":', `"pad":"${'y'.repeat(9 * 1024 * 1024)}","note":`);
    expectProblem(await http(service.baseUrl, 'POST', '/v1/events', huge), 413, 'BODY_TOO_LARGE');
  });

  it('answers 429 with Retry-After once a key exceeds its rate limit', async () => {
    const limited = await startService(
      { RATE_LIMIT_MAX: '3', RATE_LIMIT_WINDOW_MS: '60000' },
      'api',
    );
    try {
      const answers = [];
      for (let i = 0; i < 5; i++) {
        answers.push(
          await http(
            limited.baseUrl,
            'GET',
            '/v1/resolve?type=email&value=a%40b.io',
            undefined,
            undefined,
            reader,
          ),
        );
      }
      expect(answers.map((a) => a.status)).toEqual([404, 404, 404, 429, 429]);
      const last = answers[4]!;
      expectProblem(last, 429, 'RATE_LIMITED');
      expect(Number(last.headers.get('retry-after'))).toBeGreaterThan(0);
      // Health checks are never limited.
      expect(
        (await http(limited.baseUrl, 'GET', '/healthz', undefined, undefined, null)).status,
      ).toBe(200);
    } finally {
      await limited.close();
    }
  });

  it('answers 503 fast, not a hang, when Redis is down', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'idgraph-redis-'));
    const redis = await ensureRedis({
      dataDir,
      port: await freePort(),
      log: () => {},
      ignoreEnv: true,
    });
    const api = await startService({ REDIS_URL: redis.url }, 'api');
    try {
      await redis.stop();
      const started = Date.now();
      const answer = await http(api.baseUrl, 'POST', '/v1/events', {
        events: [event([{ type: 'email', value: 'kim@example.org' }])],
      });
      expectProblem(answer, 503, 'DEPENDENCY_UNAVAILABLE');
      expect(answer.headers.get('retry-after')).toBeTruthy();
      expect(Date.now() - started).toBeLessThan(8000);
      const ready = await http(api.baseUrl, 'GET', '/readyz', undefined, undefined, null);
      expect(ready.status).toBe(503);
      // Reads that need only Neo4j still work.
      expect(
        (
          await http(
            api.baseUrl,
            'GET',
            '/v1/resolve?type=email&value=kim%40example.org',
            undefined,
            undefined,
            reader,
          )
        ).status,
      ).toBe(404);
    } finally {
      await api.close();
      await redis.stop();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

describe('OpenAPI', () => {
  it('is valid OpenAPI 3.1 and lists every route', async () => {
    const answer = await http<
      Record<string, unknown> & { openapi: string; paths: Record<string, Record<string, unknown>> }
    >(service.baseUrl, 'GET', '/openapi.json');
    expect(answer.body.openapi).toBe('3.1.0');
    const result = await new Validator().validate(answer.body);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    const operations = Object.entries(answer.body.paths).flatMap(([path, ops]) =>
      Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`),
    );
    expect(operations.sort()).toEqual(
      [
        'POST /v1/events',
        'GET /v1/jobs/{jobId}',
        'GET /v1/resolve',
        'POST /v1/resolve',
        'GET /v1/persons/{id}',
        'GET /v1/persons/{id}/links',
        'GET /v1/persons/{id}/consent',
        'GET /v1/persons/{id}/history',
        'GET /v1/identifiers/{type}/{value}',
        'GET /v1/audit',
        'GET /v1/reviews',
        'POST /v1/reviews/{id}/decision',
        'GET /v1/links/{id}/explain',
        'GET /v1/me',
        'POST /v1/persons/merge',
        'POST /v1/persons/{id}/split',
        'POST /v1/audit/{auditId}/revert',
        'GET /v1/constraints',
        'DELETE /v1/constraints/{id}',
        'POST /v1/explain',
        'GET /v1/dead-letters',
        'POST /v1/dead-letters/{id}/retry',
        'GET /v1/changes',
        'POST /v1/privacy/requests',
        'GET /v1/privacy/requests',
        'GET /v1/privacy/requests/{id}',
        'GET /v1/privacy/requests/{id}/export',
        'GET /healthz',
        'GET /readyz',
      ].sort(),
    );
  });
});
