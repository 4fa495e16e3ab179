import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Config, loadConfig } from '../../src/config.js';
import { createRedis, type RedisClient } from '../../src/ingest/redis-connection.js';
import { createLogger } from '../../src/logger.js';
import { identifierHasherFromConfig } from '../../src/privacy/identifier-hash.js';
import { privacyRequestAcceptedSchema } from '../../src/privacy/privacy-contract.js';
import type { PrivacyStep } from '../../src/privacy/privacy-step.js';
import { createRuntime, type Runtime } from '../../src/runtime.js';
import { redisContent, testGraph, waitForRequest } from '../support/privacy.js';
import { feedWhen } from './feed-reader.js';
import { clearGraph, event, http, ingest, resolve, testEnv, testKeys } from './harness.js';

/**
 * Erasure and the suppression list on the real Neo4j and Redis, through the API with the worker
 * in the same process: what ingest does with a suppressed identifier, what an erase request
 * deletes, and that afterwards neither Neo4j nor Redis holds an erased value.
 */

const ADMIN = testKeys[0]!.key;
const privacyKey = {
  name: 'test-privacy',
  key: 'test-privacy-key-0123456789',
  scopes: ['privacy:write', 'audit:read'],
};

let config: Config;
let runtime: Runtime;
let baseUrl: string;
let graph: ReturnType<typeof testGraph>;
let redis: RedisClient;
/** Runs after each erase step but the last has returned (its work committed), when a test sets it. */
let betweenSteps: ((step: string) => Promise<void>) | undefined;

beforeAll(async () => {
  config = loadConfig(
    testEnv({ IDGRAPH_API_KEYS: JSON.stringify([...testKeys, privacyKey]), JOB_ATTEMPTS: '2' }),
  );
  runtime = await createRuntime(config, {
    role: 'all',
    logger: createLogger('warn'),
    privacySteps: (steps) => ({
      ...steps,
      // Between steps only: the last one completes the request in its own transaction.
      erase: (steps.erase ?? []).map((step, i, all): PrivacyStep => ({
        name: step.name,
        run: async (ctx) => {
          await step.run(ctx);
          if (i < all.length - 1) await betweenSteps?.(step.name);
        },
      })),
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
  betweenSteps = undefined;
  await clearGraph(runtime.graph);
});

async function request(body: Record<string, unknown>) {
  const answer = await http<unknown>(
    baseUrl,
    'POST',
    '/v1/privacy/requests',
    body,
    undefined,
    privacyKey.key,
  );
  expect(answer.status, JSON.stringify(answer.body)).toBe(202);
  return waitForRequest(baseUrl, privacyRequestAcceptedSchema.parse(answer.body).id, ADMIN);
}

/** Every property in Neo4j, lower-cased, to search for values. */
async function graphContent(): Promise<string> {
  return JSON.stringify(await graph.query('cypher/read/every-property')).toLowerCase();
}

/** Every property in Neo4j and every Redis key, lower-cased, to search for values. */
async function everything(): Promise<string> {
  return `${await graphContent()}\n${await redisContent(redis, '*')}`.toLowerCase();
}

const personStatus = async (id: string) => (await http(baseUrl, 'GET', `/v1/persons/${id}`)).status;

describe('suppression at ingest', () => {
  it('drops suppressed identifiers from events (never created, linked or stored), counts them, and applies them again once lifted', async () => {
    const tag = randomUUID().slice(0, 8);
    const email = { type: 'email', value: `Gone.${tag}@Example.org` };
    const phone = {
      type: 'phone',
      value: `+44 20 7946 ${tag.replace(/\D/g, '').padEnd(4, '1').slice(0, 4)}`,
    };
    const user = { type: 'user_id', value: `kept-${tag}` };
    const hash = identifierHasherFromConfig(config);
    await graph.query('cypher/write/add-suppressions', {
      hashes: [hash(`email:gone.${tag}@example.org`), hash(`user_id:gone-${tag}`)],
      requestId: 'prq_test',
    });

    const mixed = event([email, user], {
      attributes: { firstName: `Zelda${tag}`, lastName: 'Q' },
    });
    const only = event([email, { type: 'user_id', value: `gone-${tag}` }]);
    const job = await ingest({ baseUrl }, [mixed, only]);
    expect(job.state).toBe('completed');
    expect(job.counts).toEqual({ applied: 1, duplicates: 0, rejected: 1, suppressed: 3 });
    expect(job.rejected).toEqual([{ eventId: only.id, source: 'web', reason: 'suppressed' }]);

    const [gone, kept, gone2] = await resolve({ baseUrl }, [
      email,
      user,
      { type: 'user_id', value: `gone-${tag}` },
    ]);
    expect(gone).toMatchObject({ personId: null, reason: 'not_found' });
    expect(gone2).toMatchObject({ personId: null, reason: 'not_found' });
    expect(kept!.personId).toMatch(/^per_/);
    // Neither the graph (event log, records) nor the job kept in Redis holds the suppressed values
    // or the attributes that came with them.
    const stored = await everything();
    for (const value of [`gone.${tag}@example.org`, `gone-${tag}`, `zelda${tag}`])
      expect(stored).not.toContain(value.toLowerCase());
    expect(stored).toContain(`kept-${tag}`);

    const lifted = await request({
      type: 'unsuppress',
      subject: { identifiers: [email] },
      reason: 'erased by mistake',
    });
    expect(lifted.report).toMatchObject({ suppressionsLifted: 1 });
    const again = await ingest({ baseUrl }, [event([email, user, phone])]);
    expect(again.counts).toEqual({ applied: 1, duplicates: 0, rejected: 0, suppressed: 0 });
    const after = await resolve({ baseUrl }, [email, user, phone]);
    expect(new Set(after.map((r) => r.personId))).toEqual(new Set([kept!.personId]));
  });
});

describe('erase', () => {
  it('keeps erased what events re-send between its steps: the suppression commits before anything is deleted', async () => {
    const tag = randomUUID().slice(0, 8);
    const email = { type: 'email', value: `Between.${tag}@Example.org` };
    const cookie = { type: 'cookie_id', value: `between-${tag}` };
    await ingest({ baseUrl }, [event([email, cookie])]);
    // After each step of the service's own erase steps, in their order, the subject's events
    // come again and are applied before the next step starts: a step order that deleted before
    // suppressing would let the event after the deletion re-create the subject.
    const resent: { step: string; suppressed: number }[] = [];
    betweenSteps = async (step) => {
      const job = await ingest({ baseUrl }, [event([email, cookie], { id: `again-${step}` })]);
      expect(job.state, JSON.stringify(job)).toBe('completed');
      resent.push({ step, suppressed: job.counts.suppressed });
    };
    const view = await request({
      type: 'erase',
      subject: { identifiers: [email, cookie] },
      reason: 'ticket ERASE-ORDER',
    });
    betweenSteps = undefined;
    expect(view.status, JSON.stringify(view.failure)).toBe('completed');
    expect((await resolve({ baseUrl }, [email, cookie])).map((r) => r.reason)).toEqual([
      'not_found',
      'not_found',
    ]);
    expect(resent.map((r) => r.step)).toEqual(['suppress', 'delete_graph', 'scrub_queue']);
    expect(
      resent.every((r) => r.suppressed === 2),
      JSON.stringify(resent),
    ).toBe(true);
    const stored = await everything();
    for (const value of [email.value, cookie.value])
      expect(stored).not.toContain(value.toLowerCase());
  });

  it("deletes the subject's identifiers, records and events, rewrites shared events, splits the person, keeps it erased on replay", async () => {
    const tag = randomUUID().slice(0, 8);
    const email = { type: 'email', value: `Erase.Me.${tag}@Example.org` };
    const user = { type: 'user_id', value: `stays-${tag}` };
    const crm = { type: 'crm_id', value: `crm-${tag}` };
    // The email alone holds the person together: user - email - crm.
    const e1 = event([user, email], { attributes: { firstName: `Xavier${tag}`, lastName: 'Q' } });
    const e2 = event([email, crm]);
    const e3 = event([email]);
    const applied: string[] = [];
    for (const e of [e1, e2, e3]) applied.push((await ingest({ baseUrl }, [e])).jobId);
    const [before] = await resolve({ baseUrl }, [user]);
    const personId = before!.personId!;
    // Jobs Redis keeps with their events: one not due for an hour, one dead-lettered (its payload
    // does not parse), both carrying the email.
    const queue = new Queue(config.INGEST_QUEUE, {
      connection: redis,
      prefix: config.QUEUE_PREFIX,
    });
    // The completed jobs keep their outcome only: their events are dropped once applied.
    const eventsKept = async (jobId: string) =>
      ((await queue.getJob(jobId))?.data as { events: unknown[] }).events.length;
    for (const jobId of applied) {
      for (let i = 0; (await eventsKept(jobId)) > 0; i++) {
        expect(i).toBeLessThan(100);
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    const acceptedAt = new Date().toISOString();
    await queue.add(
      'resolve-batch',
      { events: [event([email, user]), event([email])], acceptedAt },
      { delay: 3_600_000, jobId: `delayed-${tag}` },
    );
    await queue.add(
      'resolve-batch',
      { events: [{ ...event([email]), occurredAt: 'not a time' }], acceptedAt },
      { jobId: `broken-${tag}` },
    );
    for (let i = 0; (await queue.getJobState(`broken-${tag}`)) !== 'failed'; i += 1) {
      expect(i).toBeLessThan(200);
      await new Promise((r) => setTimeout(r, 50));
    }

    const view = await request({
      type: 'erase',
      subject: { identifiers: [email] },
      reason: 'ticket ER-1',
    });
    expect(view.status, JSON.stringify(view)).toBe('completed');
    expect(view.stepsDone).toEqual([
      'resolve_subject',
      'suppress',
      'delete_graph',
      'scrub_queue',
      'rewrite_aof',
    ]);
    const { durationMs: _, personsSplit, aofRewrite, ...report } = view.report!;
    expect(['started', 'failed']).toContain(aofRewrite);
    expect(report).toEqual({
      subject: { identifiers: 1, notFound: 0 },
      suppressionsAdded: 1,
      identifiersErased: 1,
      eventsErased: 1,
      eventsScrubbed: 2,
      recordsErased: 1,
      reviewsErased: 0,
      personsErased: [],
      // The delayed job rewritten, the broken one removed (the completed ones hold no events).
      jobsScrubbed: 2,
    });
    expect(await queue.getJobState(`broken-${tag}`)).toBe('unknown');
    const delayed = await queue.getJob(`delayed-${tag}`);
    expect((delayed?.data as { events: unknown[] } | undefined)?.events).toEqual([
      expect.objectContaining({ identifiers: [{ type: 'user_id', value: user.value }] }),
    ]);
    await queue.close();
    expect(personsSplit).toEqual([{ personId, parts: [expect.stringMatching(/^per_/)] }]);
    const part = personsSplit![0]!.parts[0]!;
    const [gone, kept, moved] = await resolve({ baseUrl }, [email, user, crm]);
    expect(gone).toMatchObject({ personId: null, reason: 'not_found' });
    // The user id is older than the crm id: its part keeps the person's id.
    expect([kept!.personId, moved!.personId]).toEqual([personId, part]);
    // Not in any property of any node or relationship, nor in any Redis key.
    const stored = await everything();
    for (const value of [email.value, email.value.toLowerCase(), `xavier${tag}`])
      expect(stored).not.toContain(value.toLowerCase());
    expect(stored).toContain(`stays-${tag}`);
    await feedWhen(baseUrl, (items) =>
      items.some((i) => i.type === 'person.split' && i.personId === personId),
    );

    // Replayed with new event ids: the email is dropped and counted, nothing links back.
    const replay = await ingest({ baseUrl }, [
      { ...e1, id: `${e1.id}-again` },
      { ...e2, id: `${e2.id}-again` },
      { ...e3, id: `${e3.id}-again` },
    ]);
    expect(replay.counts).toEqual({ applied: 2, duplicates: 0, rejected: 1, suppressed: 3 });
    const after = await resolve({ baseUrl }, [email, user, crm]);
    expect(after.map((r) => r.personId)).toEqual([null, personId, part]);
    const storedAfter = await everything();
    for (const value of [email.value.toLowerCase(), `xavier${tag}`])
      expect(storedAfter).not.toContain(value);

    // Lifted: the email links again.
    await request({ type: 'unsuppress', subject: { identifiers: [email] }, reason: 'ER-1 undone' });
    const back = await ingest({ baseUrl }, [event([email, user])]);
    expect(back.counts.suppressed).toBe(0);
    expect((await resolve({ baseUrl }, [email]))[0]!.personId).toBe(personId);
  });

  it('keeps the other identifiers of an event whose anchor it erases one person, linked again with the event’s provenance', async () => {
    const tag = randomUUID().slice(0, 8);
    // Keys sort cookie_id < device_id < email < phone: the cookie is the event's anchor.
    const ck = { type: 'cookie_id', value: `ck-${tag}` };
    const dev = { type: 'device_id', value: `dev-${tag}` };
    const em = { type: 'email', value: `rest-${tag}@example.org` };
    const tel = { type: 'phone', value: '+44 20 7946 0004' };
    const seen = event([tel, em, dev, ck], { source: 'app' });
    await ingest({ baseUrl }, [seen]);
    const [before] = await resolve({ baseUrl }, [dev]);
    const personId = before!.personId!;

    const view = await request({ type: 'erase', subject: { identifiers: [ck] }, reason: 'ER-2' });
    expect(view.status, JSON.stringify(view)).toBe('completed');

    const after = await resolve({ baseUrl }, [ck, dev, em, tel]);
    expect(after.map((r) => r.personId)).toEqual([null, personId, personId, personId]);
    expect(view.report?.personsSplit).toBeUndefined();
    const links = await http<{ links: { from: { type: string }; to: { type: string } }[] }>(
      baseUrl,
      'GET',
      `/v1/persons/${personId}/links`,
    );
    expect(links.body.links.map((l) => `${l.from.type}|${l.to.type}`).sort()).toEqual([
      'device_id|email',
      'device_id|phone',
    ]);
    for (const link of links.body.links)
      expect(link).toMatchObject({
        status: 'active',
        rule: 'same_event',
        sources: ['app'],
        evidenceEvents: [`app/${seen.id}`],
      });
  });

  it('deletes a person left without identifiers and the ids merged into it: they answer 404', async () => {
    const tag = randomUUID().slice(0, 8);
    const a = { type: 'email', value: `a.${tag}@example.org` };
    const b = { type: 'email', value: `b.${tag}@example.org` };
    await ingest({ baseUrl }, [event([a])]);
    await ingest({ baseUrl }, [event([b])]);
    const [pa, pb] = await resolve({ baseUrl }, [a, b]);
    await ingest({ baseUrl }, [event([a, b], { attributes: { firstName: `Yolanda${tag}` } })]);
    const [survivor] = await resolve({ baseUrl }, [a]);
    const ids = [pa!.personId!, pb!.personId!];
    expect(ids).toContain(survivor!.personId);
    for (const id of ids) expect(await personStatus(id)).toBe(200);

    const absorbed = ids.find((id) => id !== survivor!.personId)!;
    const view = await request({
      type: 'erase',
      subject: { personId: absorbed },
      reason: 'ticket ER-2',
    });
    expect(view.status).toBe('completed');
    expect(view.report).toMatchObject({
      subject: { identifiers: 2, notFound: 0, personId: survivor!.personId },
      identifiersErased: 2,
      eventsErased: 3,
      recordsErased: 1,
    });
    expect([...view.report!.personsErased!].sort()).toEqual([...ids].sort());
    for (const id of ids) expect(await personStatus(id)).toBe(404);
    await feedWhen(baseUrl, (items) =>
      ids.every((id) => items.some((i) => i.type === 'person.erased' && i.personId === id)),
    );
    const audit = await http<{ records: { kind: string; requestId?: string }[] }>(
      baseUrl,
      'GET',
      '/v1/audit?limit=1000',
    );
    expect(audit.body.records.filter((r) => r.requestId === view.id).map((r) => r.kind)).toEqual(
      expect.arrayContaining(['privacy_request', 'suppression_added', 'erasure']),
    );
    const stored = await everything();
    for (const value of [a.value, b.value, `yolanda${tag}`]) expect(stored).not.toContain(value);
  });
});
