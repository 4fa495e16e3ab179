import { randomUUID } from 'node:crypto';
import { pino } from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { problemSchema } from '../../src/api/problem.js';
import { auditListSchema } from '../../src/api/schemas.js';
import { type Config, loadConfig } from '../../src/config.js';
import { createRedis, type RedisClient } from '../../src/ingest/redis-connection.js';
import { loggerOptions } from '../../src/logger.js';
import { identifierHasherFromConfig } from '../../src/privacy/identifier-hash.js';
import {
  privacyRequestAcceptedSchema,
  privacyRequestListSchema,
} from '../../src/privacy/privacy-contract.js';
import type { PrivacyStep, PrivacySubjectKeys } from '../../src/privacy/privacy-step.js';
import { createRuntime, type Runtime } from '../../src/runtime.js';
import { redisContent, testGraph, waitForRequest } from '../support/privacy.js';
import { clearGraph, event, http, ingest, resolve, testEnv, testKeys } from './harness.js';

/**
 * Privacy requests through the API, run by the worker in the same process, on the real Neo4j and
 * Redis: the lifecycle, the report, repeats, refusals, scopes, failures, listing, and that no
 * identifier value reaches the request node, the audit trail, the queue or the logs.
 *
 * Besides the service's steps (unsuppress), the service here runs two test types: `access` records
 * the subject each request resolved to, `revoke` fails in its step every time.
 */

const privacyKey = {
  name: 'test-privacy',
  key: 'test-privacy-key-0123456789',
  scopes: ['privacy:write'],
};
const auditorKey = {
  name: 'test-auditor',
  key: 'test-auditor-key-0123456789',
  scopes: ['audit:read'],
};
const ADMIN = testKeys[0]!.key;

const subjects = new Map<string, PrivacySubjectKeys>();
const recordSubject: PrivacyStep = {
  name: 'record_subject',
  run: async (ctx) => void subjects.set(ctx.request.id, ctx.subject),
};
const explode: PrivacyStep = {
  name: 'explode',
  run: async (ctx) => {
    throw new Error(`cannot handle ${ctx.subject.keys.join(', ')}`);
  },
};

let config: Config;
let runtime: Runtime;
let baseUrl: string;
let graph: ReturnType<typeof testGraph>;
let redis: RedisClient;
const logs: string[] = [];

beforeAll(async () => {
  config = loadConfig(
    testEnv({
      LOG_LEVEL: 'debug',
      IDGRAPH_API_KEYS: JSON.stringify([...testKeys, privacyKey, auditorKey]),
      JOB_ATTEMPTS: '2',
    }),
  );
  const logger = pino(loggerOptions('debug'), { write: (line: string) => void logs.push(line) });
  runtime = await createRuntime(config, {
    role: 'all',
    logger,
    // erase left without steps: the type this service refuses as not supported.
    privacySteps: ({ erase: _erase, ...steps }) => ({
      ...steps,
      access: [recordSubject],
      revoke: [explode],
    }),
  });
  baseUrl = await runtime.app!.listen({ host: '127.0.0.1', port: 0 });
  graph = testGraph(config);
  redis = createRedis(config.REDIS_URL!, 'worker');
});
afterAll(async () => {
  await runtime?.close();
  await graph?.close();
  redis?.disconnect();
});
beforeEach(async () => {
  await clearGraph(runtime.graph);
});

const post = (body: unknown, key: string | null = privacyKey.key) =>
  http<unknown>(baseUrl, 'POST', '/v1/privacy/requests', body, undefined, key);

async function create(body: Record<string, unknown>): Promise<string> {
  const answer = await post(body);
  expect(answer.status, JSON.stringify(answer.body)).toBe(202);
  return privacyRequestAcceptedSchema.parse(answer.body).id;
}

function expectProblem(answer: { status: number; body: unknown }, status: number, code: string) {
  expect(answer.status).toBe(status);
  const problem = problemSchema.parse(answer.body);
  expect(problem.code).toBe(code);
  return problem;
}

async function auditOf(requestId: string) {
  const answer = await http(baseUrl, 'GET', '/v1/audit?limit=1000', undefined, auditListSchema);
  return answer.body.records.filter((r) => r.requestId === requestId);
}

/**
 * None of the values, as given or normalised, in any property of privacy requests, audit records
 * and suppressions, in any key of the privacy queue, or in any log line.
 */
async function expectNoValues(values: readonly string[]) {
  const traces = JSON.stringify(await graph.query('cypher/read/privacy-traces'));
  const queue = await redisContent(redis, `${config.QUEUE_PREFIX}:${config.PRIVACY_QUEUE}:*`);
  const logged = logs.join('');
  expect(traces.length).toBeGreaterThan(2);
  for (const value of values) {
    expect(traces.toLowerCase()).not.toContain(value.toLowerCase());
    expect(queue.toLowerCase()).not.toContain(value.toLowerCase());
    expect(logged.toLowerCase()).not.toContain(value.toLowerCase());
  }
}

describe('privacy requests', () => {
  it('runs an unsuppress request to completed: counted subject, 0 lifted, audited; a repeat answers the same request', async () => {
    const tag = randomUUID().slice(0, 8);
    const email = `Ann.${tag}@Example.org`;
    const phone = `+44 20 7946 0${String(Math.floor(Math.random() * 1000)).padStart(3, '0')}`;
    const body = {
      type: 'unsuppress',
      subject: {
        identifiers: [
          { type: 'email', value: email },
          { type: 'phone', value: phone },
          { type: 'email', value: email.toUpperCase() },
          { type: 'email', value: `not-an-email-${tag}` },
        ],
      },
      reason: 'ticket PRIV-1',
      requestId: `client-${tag}`,
    };
    const accepted = await post(body);
    expect(accepted.status).toBe(202);
    const { id, status } = privacyRequestAcceptedSchema.parse(accepted.body);
    expect(status).toBe('pending');

    const view = await waitForRequest(baseUrl, id, auditorKey.key);
    expect(view).toMatchObject({
      id,
      type: 'unsuppress',
      status: 'completed',
      requestId: `client-${tag}`,
      actor: 'test-privacy',
      reason: 'ticket PRIV-1',
      stepsDone: ['resolve_subject', 'unsuppress'],
    });
    const { durationMs, ...report } = view.report!;
    expect(report).toEqual({
      subject: { identifiers: 2, notFound: 2, invalid: { invalid_email: 1 } },
      suppressionsLifted: 0,
    });
    expect(durationMs).toBeGreaterThanOrEqual(0);

    const repeat = await post(body);
    expect(repeat).toMatchObject({ status: 202, body: { id, status: 'completed' } });
    const other = await post({
      ...body,
      subject: { identifiers: [{ type: 'email', value: 'x@y.org' }] },
    });
    expectProblem(other, 409, 'REQUEST_ID_CONFLICT');

    const audit = await auditOf(id);
    expect(audit).toEqual([
      expect.objectContaining({
        kind: 'privacy_request',
        requestType: 'unsuppress',
        actor: 'test-privacy',
        reason: 'ticket PRIV-1',
        personIds: [],
      }),
    ]);
    await expectNoValues([
      email,
      `ann.${tag}@example.org`,
      phone.replace(/\D/g, '').slice(2),
      `not-an-email-${tag}`,
    ]);
  });

  it('lifts the suppression of the subject identifiers only, once, audited with the count', async () => {
    const hash = identifierHasherFromConfig(config);
    const tag = randomUUID().slice(0, 8);
    const keys = [
      `email:a.${tag}@example.org`,
      `user_id:U-${tag}`,
      `email:other.${tag}@example.org`,
    ];
    await graph.query('cypher/write/add-suppressions', {
      hashes: keys.map(hash),
      requestId: 'prq_test',
    });

    const id = await create({
      type: 'unsuppress',
      subject: {
        identifiers: [
          { type: 'email', value: `A.${tag}@example.org` },
          { type: 'user_id', value: `U-${tag}` },
        ],
      },
      reason: 'erased by mistake, ticket PRIV-2',
    });
    const view = await waitForRequest(baseUrl, id, ADMIN);
    expect(view.status).toBe('completed');
    expect(view.report).toMatchObject({
      subject: { identifiers: 2, notFound: 2 },
      suppressionsLifted: 2,
    });
    const left = await graph.query<{ hash: string }>('cypher/read/suppressions');
    expect(left.map((r) => r.hash)).toEqual([hash(keys[2]!)]);
    expect((await auditOf(id)).map((r) => [r.kind, r.count, r.actor])).toEqual(
      expect.arrayContaining([
        ['privacy_request', undefined, 'test-privacy'],
        ['suppression_lifted', 2, 'test-privacy'],
      ]),
    );
    await expectNoValues([`a.${tag}@example.org`, `U-${tag}`]);
  });

  it("resolves a person subject to the person's identifiers when it runs; a merged id to its survivor", async () => {
    const tag = randomUUID().slice(0, 8);
    const a = { type: 'email', value: `a.${tag}@example.org` };
    const b = { type: 'email', value: `b.${tag}@example.org` };
    await ingest({ baseUrl }, [event([a, { type: 'user_id', value: `u-${tag}` }])]);
    await ingest({ baseUrl }, [event([b, { type: 'crm_id', value: `c-${tag}` }])]);
    const [before] = await resolve({ baseUrl }, [b]);
    await ingest({ baseUrl }, [event([a, b])]);
    const [after] = await resolve({ baseUrl }, [b]);
    const [absorbed, survivor] =
      before!.personId === after!.personId
        ? [(await resolve({ baseUrl }, [a]))[0]!.personId, after!.personId]
        : [before!.personId, after!.personId];
    expect(absorbed).not.toBe(survivor);

    const id = await create({ type: 'access', subject: { personId: absorbed }, reason: 'DSAR 7' });
    const view = await waitForRequest(baseUrl, id, ADMIN);
    expect(view.report?.subject).toEqual({ identifiers: 4, notFound: 0, personId: survivor });
    expect(subjects.get(id)?.keys).toEqual(
      [a.value, b.value]
        .map((v) => `email:${v}`)
        .concat(`crm_id:c-${tag}`, `user_id:u-${tag}`)
        .sort(),
    );
    expect(subjects.get(id)?.hashes).toEqual(
      subjects.get(id)?.keys.map(identifierHasherFromConfig(config)),
    );
    expect((await auditOf(id))[0]).toMatchObject({
      kind: 'privacy_request',
      personIds: [absorbed],
    });

    const unknown = await create({
      type: 'access',
      subject: { personId: 'per_unknown' },
      reason: 'DSAR 8',
    });
    expect((await waitForRequest(baseUrl, unknown, ADMIN)).report?.subject).toEqual({
      identifiers: 0,
      notFound: 1,
    });
    await expectNoValues([a.value, b.value, `u-${tag}`, `c-${tag}`]);
  });

  it('refuses types without steps, bad bodies and reasons quoting the subject, storing nothing', async () => {
    const subject = { identifiers: [{ type: 'email', value: 'quoted@example.org' }] };
    const erase = expectProblem(
      await post({ type: 'erase', subject, reason: 'r' }),
      400,
      'NOT_SUPPORTED',
    );
    expect(erase.detail).toContain('erase');
    const noPurposes = expectProblem(
      await post({ type: 'revoke', subject, reason: 'r' }),
      400,
      'VALIDATION_FAILED',
    );
    expect(noPurposes.errors).toEqual([expect.objectContaining({ path: '$.body.purposes' })]);
    const person = expectProblem(
      await post({ type: 'unsuppress', subject: { personId: 'per_x' }, reason: 'r' }),
      400,
      'VALIDATION_FAILED',
    );
    expect(person.errors?.map((e) => e.path)).toEqual(['$.body.subject']);
    const quoting = expectProblem(
      await post({ type: 'unsuppress', subject, reason: 'customer Quoted@Example.org asked' }),
      400,
      'VALIDATION_FAILED',
    );
    expect(quoting.errors).toEqual([expect.objectContaining({ path: '$.body.reason' })]);
    expect(JSON.stringify(quoting)).not.toContain('quoted@');
    const list = await http(
      baseUrl,
      'GET',
      '/v1/privacy/requests',
      undefined,
      privacyRequestListSchema,
    );
    expect(list.body.items).toEqual([]);
  });

  it('needs privacy:write to create and audit:read to read', async () => {
    const body = {
      type: 'unsuppress',
      subject: { identifiers: [{ type: 'user_id', value: 'u1' }] },
      reason: 'r',
    };
    expectProblem(await post(body, null), 401, 'UNAUTHORIZED');
    expectProblem(await post(body, testKeys[1]!.key), 403, 'INSUFFICIENT_SCOPE');
    expectProblem(await post(body, auditorKey.key), 403, 'INSUFFICIENT_SCOPE');
    const id = await create(body);
    const read = (key: string, path = `/v1/privacy/requests/${id}`) =>
      http(baseUrl, 'GET', path, undefined, undefined, key);
    expectProblem(await read(privacyKey.key), 403, 'INSUFFICIENT_SCOPE');
    expectProblem(await read(privacyKey.key, '/v1/privacy/requests'), 403, 'INSUFFICIENT_SCOPE');
    expect((await read(auditorKey.key)).status).toBe(200);
    expect((await read(auditorKey.key, '/v1/privacy/requests')).status).toBe(200);
    expectProblem(
      await read(auditorKey.key, '/v1/privacy/requests/prq_unknown'),
      404,
      'PRIVACY_REQUEST_NOT_FOUND',
    );
  });

  it('marks a request whose step keeps failing failed, naming the step and the error class only', async () => {
    const value = `secret-${randomUUID()}@example.org`;
    const id = await create({
      type: 'revoke',
      subject: { identifiers: [{ type: 'email', value }] },
      purposes: ['marketing'],
      reason: 'ticket PRIV-3',
    });
    const view = await waitForRequest(baseUrl, id, ADMIN);
    expect(view).toMatchObject({
      status: 'failed',
      failure: 'explode: Error',
      stepsDone: ['resolve_subject'],
      purposes: ['marketing'],
    });
    expect(view.report?.subject).toEqual({ identifiers: 1, notFound: 1 });
    // The failed job keeps its data (the keys) until it is retried or removed: documented.
    const traces = JSON.stringify(await graph.query('cypher/read/privacy-traces'));
    expect(traces).not.toContain(value);
    expect(logs.join('')).not.toContain(value);
  });

  it('lists requests newest first, by status, a page at a time', async () => {
    const ids: string[] = [];
    for (const n of [1, 2, 3]) {
      ids.push(
        await create({
          type: 'unsuppress',
          subject: { identifiers: [{ type: 'user_id', value: `u${n}` }] },
          reason: `r${n}`,
        }),
      );
      await waitForRequest(baseUrl, ids.at(-1)!, ADMIN);
    }
    const page = (query: string) =>
      http(
        baseUrl,
        'GET',
        `/v1/privacy/requests?${query}`,
        undefined,
        privacyRequestListSchema,
      ).then((a) => a.body);
    const first = await page('status=completed&limit=2');
    expect(first.items.map((i) => i.id)).toEqual([ids[2], ids[1]]);
    expect(first.items[0]).not.toHaveProperty('report');
    const second = await page(`status=completed&limit=2&cursor=${first.cursor}`);
    expect(second).toEqual({
      items: [expect.objectContaining({ id: ids[0], status: 'completed' })],
    });
    expect((await page('status=pending')).items).toEqual([]);
    const bad = await http(
      baseUrl,
      'GET',
      '/v1/privacy/requests?cursor=nonsense',
      undefined,
      undefined,
      ADMIN,
    );
    expectProblem(bad, 400, 'VALIDATION_FAILED');
  });
});
