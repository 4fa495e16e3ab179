import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { auditListSchema, reviewListSchema } from '../../src/api/schemas.js';
import type { ChangeItem } from '../../src/changes/change-contract.js';
import { encodeCursor } from '../../src/changes/feed-cursor.js';
import type { IdentityEvent } from '../../src/events/event-schema.js';
import { generateStream, prng, shuffle } from '../support/identity-generator.js';
import { type Attributes, offlineProbability as probability } from '../support/offline-score.js';
import { feedPage, feedWhen, readFeed, replay, seqsOf } from './feed-reader.js';
import {
  event,
  http,
  ingest,
  ingestAll,
  partitionOf,
  resolve,
  serviceForTests,
  spawnWorker,
  startService,
  stopChild,
  type TestService,
  testEnv,
  waitForLine,
} from './harness.js';

/**
 * The change feed through the whole service: what ingestion, review decisions and better matches
 * change is listed in order, each entry once, resumable from any cursor; the sequence stays
 * gapless with two worker processes; retention turns an old cursor into 410.
 */

const AUTO = 0.999;
const current = serviceForTests({
  MATCH_AUTO_THRESHOLD: String(AUTO),
  MATCH_REVIEW_THRESHOLD: '0.05',
  CHANGE_FEED_RELAY_INTERVAL_MS: '50',
});

const extra: TestService[] = [];
const children: ReturnType<typeof spawnWorker>[] = [];
afterEach(async () => {
  await Promise.all(children.splice(0).map((c) => stopChild(c, 'SIGKILL')));
  await Promise.all(extra.splice(0).map((s) => s.close()));
});

const email = (value: string) => ({ type: 'email', value });
const crm = (value: string) => ({ type: 'crm_id', value });

// The better-match scenario of best-match.test.ts: R joins H first, then T (R's more probable
// match) arrives; one crm_id per person keeps T and H apart, so the R-H link is withdrawn and H's
// identifiers split off R's person.
const margaret: Attributes = {
  firstName: 'Margaret',
  lastName: 'Okonkwo',
  dateOfBirth: '1962-11-04',
  gender: 'f',
  street: 'Harbour Road',
  streetNumber: '17',
  postcode: '5012',
  city: 'Port Adelaide',
};
const records = {
  R: { ids: [email('m.okonkwo@shop.example')], attributes: { ...margaret, street: 'Harbour Rd' } },
  H: {
    ids: [crm('T-2002'), email('margret@crm.example')],
    attributes: { ...margaret, firstName: 'Margret', streetNumber: '71' },
  },
  T: { ids: [crm('T-1001'), email('margaret@crm.example')], attributes: margaret },
};
// A review-band pair (matching.test.ts): a match decision merges their persons.
const maria: Attributes = {
  firstName: 'Maria',
  lastName: 'Kowalczyk',
  dateOfBirth: '1990-05-02',
  city: 'Perth',
};
const mariaElsewhere: Attributes = { ...maria, dateOfBirth: '1990-05-16', city: 'Sydney' };

const at = (second: number) => new Date(Date.UTC(2026, 2, 1, 0, 0, second)).toISOString();
const values = /example|okonkwo|margaret|margret|kowalczyk|maria|T-1001|T-2002/i;

async function ingestOne(events: IdentityEvent[]) {
  const job = await ingest(current(), events);
  expect(job.state).toBe('completed');
}

/** Active persons in the graph: the persons of all identifiers. */
async function activePersons(service: TestService) {
  return new Set((await partitionOf(service.graph)).values());
}

describe('the change feed', () => {
  it('lists creations, merges, splits and review merges in order, each entry once from any cursor, without values', async () => {
    expect(probability(records.T.attributes, records.R.attributes)).toBeGreaterThan(
      probability(records.R.attributes, records.H.attributes),
    );
    const service = current();
    // Two persons, then an event that joins them: the younger is merged into the older.
    await ingestOne([event([email('ann@a.example')], { occurredAt: at(0) })]);
    await ingestOne([event([email('ann@b.example')], { occurredAt: at(1) })]);
    await ingestOne([
      event([email('ann@a.example'), email('ann@b.example')], { occurredAt: at(2) }),
    ]);
    // R, H (joins R's person), T (withdraws R-H: H splits off).
    for (const [n, name] of (['R', 'H', 'T'] as const).entries())
      await ingestOne([
        event([...records[name].ids], {
          source: name === 'R' ? 'shop' : 'crm',
          attributes: records[name].attributes,
          occurredAt: at(10 + n),
        }),
      ]);
    // Two persons whose records go to review, and a match decision.
    await ingestOne([
      event([email('maria@crm.example')], { source: 'crm', attributes: maria, occurredAt: at(20) }),
      event([email('mk90@shop.example')], {
        source: 'shop',
        attributes: mariaElsewhere,
        occurredAt: at(21),
      }),
    ]);
    const reviews = await http(
      service.baseUrl,
      'GET',
      '/v1/reviews?status=pending',
      undefined,
      reviewListSchema,
    );
    expect(reviews.body.items).toHaveLength(1);
    const decided = await http(
      service.baseUrl,
      'POST',
      `/v1/reviews/${reviews.body.items[0]!.id}/decision`,
      {
        decision: 'match',
      },
    );
    expect(decided.status).toBe(200);

    const items = await feedWhen(service.baseUrl, (all) => all.length >= 9);
    const [a, b] = (await resolve(service, [email('ann@a.example'), email('ann@b.example')])).map(
      (x) => x.personId!,
    );
    expect(b).toBe(a);
    const [r, h] = (await resolve(service, [records.R.ids[0]!, records.H.ids[1]!])).map(
      (x) => x.personId!,
    );
    const [m] = (await resolve(service, [email('maria@crm.example')])).map((x) => x.personId!);
    const personOf = (item: ChangeItem | undefined) =>
      item?.type === 'person.created' ? item.personId : 'not person.created';
    const absorbedAnn = personOf(items[1]);
    const [m1, m2] = [personOf(items[6]), personOf(items[7])];
    expect([m1, m2]).toContain(m);
    // What happened, in the order it happened; T's identifiers joining R's person is no change of
    // persons, nor are H's joining it before.
    expect(items.map(({ at: _at, cursor: _cursor, ...entry }) => entry)).toEqual([
      { type: 'person.created', personId: a },
      { type: 'person.created', personId: absorbedAnn },
      { type: 'person.merged', absorbedId: absorbedAnn, survivorId: a },
      { type: 'person.created', personId: r },
      { type: 'person.split', personId: r, parts: [h] },
      { type: 'identifier.moved', fromPersonId: r, toPersonId: h, count: 2 },
      { type: 'person.created', personId: m1 },
      { type: 'person.created', personId: m2 },
      { type: 'person.merged', absorbedId: m1 === m ? m2 : m1, survivorId: m },
    ]);
    expect(new Set(items.map((i) => i.cursor)).size).toBe(items.length);
    for (const [n, item] of items.entries())
      if (n > 0) expect(Date.parse(item.at)).toBeGreaterThanOrEqual(Date.parse(items[n - 1]!.at));
    // The audit trail tells the same split.
    const audit = await http(
      service.baseUrl,
      'GET',
      '/v1/audit?kind=split',
      undefined,
      auditListSchema,
    );
    expect(audit.body.records).toHaveLength(1);
    expect(audit.body.records[0]!.personIds.sort()).toEqual([r, h].sort());
    // Ids and counts only.
    expect(JSON.stringify(items)).not.toMatch(values);
    // Replayed in order, the feed gives the graph's persons.
    expect(replay(items)).toEqual(await activePersons(service));

    // Any page size gives the same entries, each once; any entry's cursor resumes right after it.
    for (const limit of [1, 2, 3, 4])
      expect((await readFeed(service.baseUrl, limit)).items, `limit ${limit}`).toEqual(items);
    for (const [n, item] of items.entries())
      expect((await readFeed(service.baseUrl, 2, item.cursor)).items).toEqual(items.slice(n + 1));

    // Polling at the end: an empty page keeps its cursor, and the next change comes after it.
    const end = await feedPage(service.baseUrl, items.at(-1)!.cursor, 10);
    expect(end).toEqual({ items: [], cursor: items.at(-1)!.cursor });
    await ingestOne([event([email('zoe@c.example')], { occurredAt: at(30) })]);
    const [z] = (await resolve(service, [email('zoe@c.example')])).map((x) => x.personId!);
    const next = await feedWhen(service.baseUrl, (all) => all.length >= 10);
    expect(next.slice(0, 9)).toEqual(items);
    const after = await readFeed(service.baseUrl, 10, end.cursor);
    expect(next[9]).toMatchObject({ type: 'person.created', personId: z });
    expect(after).toEqual({ items: [next[9]], cursor: next[9]!.cursor });
  });

  it('stays gapless and in step with the graph with two worker processes resolving and relaying at once', async () => {
    // Every worker process runs a relay: two relays number batches concurrently.
    const env = testEnv({ WORKER_CONCURRENCY: '4', CHANGE_FEED_RELAY_INTERVAL_MS: '20' });
    const api = await startService({ INGEST_QUEUE: env.INGEST_QUEUE! }, 'api');
    extra.push(api);
    for (let i = 0; i < 2; i++) children.push(spawnWorker(env));
    await Promise.all(children.map((c) => waitForLine(c, 'idgraph worker ready')));
    // Merge-heavy: the stream's persons arrive shuffled, so many batches join persons.
    const stream = generateStream({ events: 3000, seed: 23 });
    const jobs = await ingestAll(api, shuffle(stream.events, prng(5)), 60);
    expect(jobs.every((j) => j.state === 'completed')).toBe(true);

    const persons = await activePersons(api);
    const items = await feedWhen(api.baseUrl, (all) => {
      try {
        const replayed = replay(all);
        return replayed.size === persons.size && [...persons].every((p) => replayed.has(p));
      } catch {
        return false;
      }
    });
    expect(items.filter((i) => i.type === 'person.merged').length).toBeGreaterThan(0);
    // Batches numbered 1, 2, 3, ... with no gap and none twice.
    const seqs = seqsOf(items);
    expect(seqs).toEqual(seqs.map((_, n) => seqs[0]! + n));
    expect(seqs[0]).toBe(1);
    const created = items.flatMap((i) => (i.type === 'person.created' ? [i.personId] : []));
    expect(new Set(created).size).toBe(created.length);
    for (const limit of [7, 100]) expect((await readFeed(api.baseUrl, limit)).items).toEqual(items);
  });

  it('answers 410 for a cursor whose entries retention swept, 400 for one it never gave', async () => {
    const service = current();
    // A worker with a retention of 1.8 s, under its own queue prefix: its sweep is the one that runs.
    const sweeper = await startService(
      { CHANGE_FEED_RETENTION_HOURS: '0.0005', QUEUE_PREFIX: `test-${randomUUID()}` },
      'worker',
    );
    extra.push(sweeper);
    await ingestOne([event([email('old1@d.example')]), event([email('old2@d.example')])]);
    const [first] = await feedWhen(service.baseUrl, (all) => all.length === 2);
    // Gone once swept: reading from the start finds nothing, resuming from the old cursor is 410.
    await feedWhen(service.baseUrl, (all) => all.length === 0, 30_000);
    const expired = await http<{ code: string; status: number }>(
      service.baseUrl,
      'GET',
      `/v1/changes?after=${first!.cursor}`,
    );
    expect(expired.status).toBe(410);
    expect(expired.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(expired.body).toMatchObject({ code: 'CURSOR_EXPIRED', status: 410 });

    // Caught up: the cursor of an empty feed is where the next entry goes, and it never expires.
    const empty = await feedPage(service.baseUrl, undefined, 10);
    expect(empty.items).toEqual([]);
    await ingestOne([event([email('new@d.example')])]);
    const [fresh] = (await resolve(service, [email('new@d.example')])).map((x) => x.personId!);
    const page = await feedWhen(service.baseUrl, (all) => all.length === 1);
    expect(page[0]).toMatchObject({ type: 'person.created', personId: fresh });
    expect((await feedPage(service.baseUrl, empty.cursor, 10)).items).toEqual(page);

    for (const bad of ['nope', encodeCursor({ seq: 1, index: 0 }) + 'x', 'djEuMDEuMA']) {
      const answer = await http<{ code: string }>(
        service.baseUrl,
        'GET',
        `/v1/changes?after=${bad}`,
      );
      expect(answer.status, bad).toBe(400);
      expect(answer.body.code).toBe('INVALID_CURSOR');
    }
    const tooMany = await http(service.baseUrl, 'GET', '/v1/changes?limit=1001');
    expect(tooMany.status).toBe(400);
    const reader = await http(service.baseUrl, 'GET', '/v1/changes', undefined, undefined, null);
    expect(reader.status).toBe(401);
    const writer = await http(
      service.baseUrl,
      'GET',
      '/v1/changes',
      undefined,
      undefined,
      'test-writer-key-0123456789',
    );
    expect(writer.status).toBe(403);
  });
});
