import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditListSchema, personSchema } from '../../src/api/schemas.js';
import { constraintPageSchema, manualOutcomeSchema } from '../../src/api/manual-schemas.js';
import type { ChangeItem } from '../../src/changes/change-contract.js';
import type { IdentityEvent } from '../../src/events/event-schema.js';
import { testGraph, waitForRequest } from '../support/privacy.js';
import { feedWhen, replay } from './feed-reader.js';
import { event, http, ingest, partitionOf, resolve, serviceForTests, testKeys } from './harness.js';
import { privacyRequestAcceptedSchema } from '../../src/privacy/privacy-contract.js';
import type { z } from 'zod';

/**
 * Manual operations through the whole service (events through the real queue and worker): a dry run
 * changes nothing and predicts exactly what the real run does; a keep-apart split holds against
 * re-sent evidence until its constraint is deleted; a merge obeys the resolver's limits; a revert
 * with nothing joined since restores the exact earlier partition and ids, and with later joins
 * follows the documented rule (docs/audits.md); every operation is audited with actor and note and
 * is in the change feed.
 */

const operatorKey = {
  name: 'test-operator',
  key: 'test-operator-key-0123456789',
  scopes: ['audit:read', 'audit:write'],
};
const current = serviceForTests({
  IDGRAPH_API_KEYS: JSON.stringify([...testKeys, operatorKey]),
  CHANGE_FEED_RELAY_INTERVAL_MS: '50',
});
let graph: ReturnType<typeof testGraph>;
beforeAll(() => {
  graph = testGraph(current().config);
});
afterAll(async () => {
  await graph?.close();
});

type Outcome = z.infer<typeof manualOutcomeSchema>;
const email = (value: string) => ({ type: 'email', value: `${value}@x.example` });
const key = (id: { type: string; value: string }) => `${id.type}:${id.value}`;
const at = (second: number) => new Date(Date.UTC(2026, 3, 1, 0, 0, second)).toISOString();

async function apply(...events: IdentityEvent[]) {
  const job = await ingest(current(), events);
  expect(job.state).toBe('completed');
}

async function personOf(id: { type: string; value: string }): Promise<string> {
  const [result] = await resolve(current(), [id]);
  expect(result?.personId).toBeTruthy();
  return result!.personId!;
}

async function post(path: string, body: unknown, apiKey?: string) {
  return http<Outcome>(current().baseUrl, 'POST', path, body, manualOutcomeSchema, apiKey);
}

/** Runs an operation as a dry run, then for real; checks the dry run changed nothing. */
async function dryThenReal(path: string, body: unknown): Promise<{ dry: Outcome; real: Outcome }> {
  const before = await snapshot();
  const dry = await post(`${path}?dryRun=true`, body);
  expect(dry.status, JSON.stringify(dry.body)).toBe(200);
  expect(dry.body.dryRun).toBe(true);
  expect(await snapshot()).toEqual(before);
  const real = await post(path, body);
  expect(real.status, JSON.stringify(real.body)).toBe(200);
  expect(real.body.dryRun).toBe(false);
  expect(normalised(dry.body)).toEqual(normalised(real.body));
  return { dry: dry.body, real: real.body };
}

/** Every node and relationship with its properties, but the feed's relay state. */
async function snapshot(): Promise<string[]> {
  const rows = await graph.query<{ kind: string[]; properties: Record<string, unknown> }>(
    'cypher/read/every-property',
  );
  return rows
    .filter((r) => !r.kind.includes('ChangeBatch') && !r.kind.includes('FeedClock'))
    .map((r) => JSON.stringify([r.kind, Object.entries(r.properties).sort()]))
    .sort();
}

/** An outcome with the ids it made up (created persons, constraints, audit id) by position. */
function normalised(outcome: Outcome) {
  const made = new Map<string, string>();
  for (const p of outcome.persons) if (p.created) made.set(p.personId, `new#${made.size}`);
  const id = (x: string) => made.get(x) ?? x;
  return {
    persons: outcome.persons.map((p) => ({ ...p, personId: id(p.personId) })),
    linksWithdrawn: outcome.linksWithdrawn,
    constraintsAdded: outcome.constraintsAdded.map((c) => ({
      kind: c.kind,
      personIds: c.personIds.map(id),
    })),
  };
}

async function audit(query: string) {
  const answer = await http(
    current().baseUrl,
    'GET',
    `/v1/audit?${query}`,
    undefined,
    auditListSchema,
  );
  expect(answer.status).toBe(200);
  return answer.body.records;
}

async function links() {
  return graph.query<{
    from: string;
    to: string;
    id: string;
    status: string;
    withdrawnAt: number | null;
    withdrawnReason: string | null;
  }>('cypher/read/link-states');
}

async function constraints() {
  const answer = await http(
    current().baseUrl,
    'GET',
    '/v1/constraints',
    undefined,
    constraintPageSchema,
  );
  expect(answer.status).toBe(200);
  return answer.body.items;
}

const feedHas = (check: (items: ChangeItem[]) => boolean) =>
  feedWhen(current().baseUrl, check, 30_000);

describe('manual split', () => {
  it('moves identifiers off with keepApart; re-sent evidence does not rejoin them until the constraint is deleted', async () => {
    const [a, b, c] = [email('ann'), email('ann.b'), email('ann.c')];
    await apply(event([a, b], { occurredAt: at(1) }), event([b, c], { occurredAt: at(2) }));
    const p = await personOf(a);
    const body = { identifiers: [c], keepApart: true, reason: 'ticket DQ-1: c is a shared inbox' };
    const { real } = await dryThenReal(`/v1/persons/${p}/split`, body);

    const q = await personOf(c);
    expect(q).not.toBe(p);
    expect(await personOf(b)).toBe(p);
    expect(real.persons).toEqual([
      {
        personId: p,
        status: 'active',
        created: false,
        identifiersIn: [],
        identifiersOut: [{ type: 'email', count: 1, values: [c.value] }],
      },
      {
        personId: q,
        status: 'active',
        created: true,
        identifiersIn: [{ type: 'email', count: 1, values: [c.value] }],
        identifiersOut: [],
      },
    ]);
    const bc = (await links()).find((l) => l.from === key(b) && l.to === key(c))!;
    expect(real.linksWithdrawn).toEqual([bc.id]);
    expect(bc).toMatchObject({ status: 'withdrawn', withdrawnReason: 'manual_split' });
    expect(bc.withdrawnAt).toBeGreaterThan(0);
    expect(real.constraintsAdded).toEqual([
      { id: expect.any(String) as string, kind: 'keep_apart', personIds: [q, p] },
    ]);
    const [constraint, ...none] = await constraints();
    expect(none).toEqual([]);
    expect(constraint).toMatchObject({
      id: real.constraintsAdded[0]!.id,
      kind: 'keep_apart',
      actor: 'test-admin',
      auditId: real.auditId,
      reviewId: null,
    });
    expect(constraint!.identifiers.map((i) => i.personId).sort()).toEqual([p, q].sort());
    expect(constraint!.identifiers.map((i) => i.type)).toEqual(['email', 'email']);

    const [split] = await audit('kind=manual_split');
    expect(split).toMatchObject({
      id: real.auditId,
      actor: 'test-admin',
      reason: 'manual_split',
      note: body.reason,
      personIds: [p, q],
      linkIds: [bc.id],
      constraintIds: [constraint!.id],
    });
    expect((await audit('kind=split'))[0]).toMatchObject({
      actor: 'test-admin',
      personIds: [p, q],
    });
    expect((await audit('kind=constraint_added'))[0]).toMatchObject({
      actor: 'test-admin',
      constraintIds: [constraint!.id],
      sourceAuditId: real.auditId,
    });

    // The evidence again: refused by the constraint, audited.
    await apply(event([b, c], { occurredAt: at(3) }));
    expect(await personOf(c)).toBe(q);
    expect(await audit('kind=merge_refused')).toHaveLength(1);

    const removed = await http(current().baseUrl, 'DELETE', `/v1/constraints/${constraint!.id}`, {
      reason: 'DQ-1 was wrong',
    });
    expect(removed.status, JSON.stringify(removed.body)).toBe(200);
    expect(await constraints()).toEqual([]);
    expect((await audit('kind=constraint_removed'))[0]).toMatchObject({
      actor: 'test-admin',
      note: 'DQ-1 was wrong',
      reason: 'keep_apart',
      constraintIds: [constraint!.id],
    });
    const again = await http(current().baseUrl, 'DELETE', `/v1/constraints/${constraint!.id}`, {
      reason: 'twice',
    });
    expect(again.status).toBe(404);

    await apply(event([b, c], { occurredAt: at(4) }));
    expect(await personOf(c)).toBe(p);

    const items = await feedHas((all) => all.some((i) => i.type === 'person.split'));
    expect(items).toContainEqual(
      expect.objectContaining({ type: 'person.split', personId: p, parts: [q] }),
    );
    expect(items).toContainEqual(
      expect.objectContaining({
        type: 'identifier.moved',
        fromPersonId: p,
        toPersonId: q,
        count: 1,
      }),
    );
  });

  it('keeps an event’s identifiers on each side together when the split parts them from its anchor', async () => {
    // One event of four: each is linked to its anchor, the first by key (eve.a).
    const [a, b, c, d] = [email('eve.a'), email('eve.b'), email('eve.c'), email('eve.d')];
    await apply(event([d, c, b, a], { occurredAt: at(1), source: 'crm' }));
    const p = await personOf(a);
    expect((await links()).length).toBe(3);

    const { real } = await dryThenReal(`/v1/persons/${p}/split`, {
      identifiers: [a, b],
      reason: 'two people on one form',
    });

    // The anchor's links to c and d crossed the split; c and d, seen together, stay one person.
    expect(real.linksWithdrawn).toHaveLength(2);
    expect(await personOf(c)).toBe(p);
    expect(await personOf(d)).toBe(p);
    const moved = await personOf(a);
    expect(moved).not.toBe(p);
    expect(await personOf(b)).toBe(moved);
    expect(real.persons.map((x) => x.personId)).toEqual([p, moved]);
  });

  it('splits named identifiers not linked among themselves into one person each; refuses what is not the person’s', async () => {
    const [a, b, c, other] = [email('bo'), email('bo.b'), email('bo.c'), email('someone')];
    await apply(event([a, b], { occurredAt: at(1) }), event([a, c], { occurredAt: at(2) }));
    await apply(event([other], { occurredAt: at(3) }));
    const p = await personOf(a);
    const path = `/v1/persons/${p}/split`;
    const { real } = await dryThenReal(path, { identifiers: [b, c], reason: 'two strangers' });
    const [pb, pc] = [await personOf(b), await personOf(c)];
    expect(new Set([p, pb, pc]).size).toBe(3);
    expect(real.persons[0]!.personId).toBe(p);
    expect(
      real.persons
        .slice(1)
        .map((x) => x.personId)
        .sort(),
    ).toEqual([pb, pc].sort());
    expect(real.linksWithdrawn).toHaveLength(2);
    expect(real.constraintsAdded).toEqual([]);

    // A key without persons:read sees types and counts only.
    const q = await personOf(other);
    const other2 = email('someone.else');
    await apply(event([other, other2], { occurredAt: at(4) }));
    const typesOnly = await post(
      `/v1/persons/${q}/split?dryRun=true`,
      { identifiers: [other2], reason: 'preview' },
      operatorKey.key,
    );
    expect(typesOnly.status).toBe(200);
    expect(typesOnly.body.persons[0]!.identifiersOut).toEqual([{ type: 'email', count: 1 }]);

    const notHers = await post(path, { identifiers: [other], reason: 'x' });
    expect(notHers.status).toBe(422);
    expect(notHers.body).toMatchObject({ code: 'IDENTIFIER_NOT_IN_PERSON' });
    const everything = await post(`/v1/persons/${pb}/split`, { identifiers: [b], reason: 'x' });
    expect(everything.status).toBe(422);
    expect(everything.body).toMatchObject({ code: 'SPLIT_WOULD_EMPTY' });
    const invalid = await post(path, {
      identifiers: [{ type: 'email', value: 'nope' }],
      reason: 'x',
    });
    expect(invalid.status).toBe(400);
    const noReason = await post(path, { identifiers: [a] });
    expect(noReason.status).toBe(400);
    const unknown = await post('/v1/persons/per_nobody/split', { identifiers: [a], reason: 'x' });
    expect(unknown.status).toBe(404);
    const forbidden = await http(
      current().baseUrl,
      'POST',
      path,
      { identifiers: [a], reason: 'x' },
      undefined,
      testKeys[1]!.key,
    );
    expect(forbidden.status).toBe(403);
  });
});

describe('manual merge', () => {
  it('merges persons under the resolver’s limits, the oldest surviving; a refusal changes nothing', async () => {
    const [a1, a2, a3] = [email('cy'), email('cy.2'), email('cy.3')];
    await apply(event([a1], { occurredAt: at(1) }));
    await apply(event([a2], { occurredAt: at(2) }));
    await apply(event([a3], { occurredAt: at(3) }));
    const [p1, p2, p3] = [await personOf(a1), await personOf(a2), await personOf(a3)];
    const { real } = await dryThenReal('/v1/persons/merge', {
      personIds: [p3, p1, p2],
      reason: 'ticket DQ-7: one customer',
    });
    for (const id of [a1, a2, a3]) expect(await personOf(id)).toBe(p1);
    expect(real.persons).toEqual([
      {
        personId: p1,
        status: 'active',
        created: false,
        identifiersIn: [{ type: 'email', count: 2, values: [a2.value, a3.value].sort() }],
        identifiersOut: [],
      },
      ...[p2, p3].map((id, i) => ({
        personId: id,
        status: 'merged',
        created: false,
        identifiersIn: [],
        identifiersOut: [{ type: 'email', count: 1, values: [[a2, a3][i]!.value] }],
      })),
    ]);
    const [manual] = await audit('kind=manual_merge');
    expect(manual).toMatchObject({
      id: real.auditId,
      actor: 'test-admin',
      reason: 'manual_merge',
      note: 'ticket DQ-7: one customer',
      survivorId: p1,
      absorbedIds: [p2, p3],
    });
    const merges = await audit('kind=merge');
    expect(merges).toHaveLength(2);
    for (const m of merges)
      expect(m).toMatchObject({
        actor: 'test-admin',
        rule: 'manual_merge',
        method: 'manual',
        survivorId: p1,
        note: 'ticket DQ-7: one customer',
      });

    // A merged id stands for its survivor: the two are one person.
    const same = await post('/v1/persons/merge', { personIds: [p2, p1], reason: 'again' });
    expect(same.status).toBe(409);
    expect(same.body).toMatchObject({ code: 'SAME_PERSON' });
    const twice = await post('/v1/persons/merge', { personIds: [p1, p1], reason: 'x' });
    expect(twice.status).toBe(409);
    expect(twice.body).toMatchObject({ code: 'SAME_PERSON' });
    const unknown = await post('/v1/persons/merge', { personIds: [p1, 'per_nobody'], reason: 'x' });
    expect(unknown.status).toBe(404);

    // Two user_ids in one person break the default limit: refused, nothing changes.
    await apply(event([{ type: 'user_id', value: 'u-1' }], { occurredAt: at(4) }));
    await apply(event([{ type: 'user_id', value: 'u-2' }], { occurredAt: at(5) }));
    const [u1, u2] = [
      await personOf({ type: 'user_id', value: 'u-1' }),
      await personOf({ type: 'user_id', value: 'u-2' }),
    ];
    const before = await snapshot();
    const refused = await post('/v1/persons/merge', { personIds: [u1, u2], reason: 'x' });
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ code: 'MERGE_LIMIT_EXCEEDED' });
    expect(await snapshot()).toEqual(before);

    const items = await feedHas((all) => all.filter((i) => i.type === 'person.merged').length >= 2);
    expect(items.filter((i) => i.type === 'person.merged')).toEqual([
      expect.objectContaining({ absorbedId: p2, survivorId: p1 }),
      expect.objectContaining({ absorbedId: p3, survivorId: p1 }),
    ]);
  });
});

describe('revert of a merge', () => {
  it('with nothing joined since restores the exact earlier partition and ids, once', async () => {
    const [s1, s2, b1, b2, x1] = ['s1', 's2', 'b1', 'b2', 'x1'].map((v) => email(`dee.${v}`)) as [
      ReturnType<typeof email>,
      ...ReturnType<typeof email>[],
    ];
    await apply(event([s1, s2!], { occurredAt: at(1) }));
    await apply(event([b1!, b2!], { occurredAt: at(2) }));
    await apply(event([x1!], { occurredAt: at(3) }));
    const [s, b, x] = [await personOf(s1), await personOf(b1!), await personOf(x1!)];
    // X merges into B before B merges into S: after the revert X's id answers for B again.
    await apply(event([b2!, x1!], { occurredAt: at(4) }));
    const before = await partitionOf(current().graph);
    expect(new Set(before.values())).toEqual(new Set([s, b]));
    await apply(event([b1!, s1], { occurredAt: at(5) }));
    expect(await personOf(b1!)).toBe(s);
    const merge = (await audit('kind=merge')).find((m) => m.absorbedIds?.[0] === b)!;
    expect(merge.survivorId).toBe(s);

    const path = `/v1/audit/${merge.id}/revert`;
    const { real } = await dryThenReal(path, { reason: 'DQ-9: wrong merge' });
    expect(await partitionOf(current().graph)).toEqual(before);
    expect(real.persons.map((p) => [p.personId, p.status, p.created])).toEqual([
      [s, 'active', false],
      [b, 'active', false],
    ]);
    const restoredPerson = await http(
      current().baseUrl,
      'GET',
      `/v1/persons/${x}`,
      undefined,
      personSchema,
    );
    expect(restoredPerson.body.id).toBe(b);
    const bs = (await links()).find((l) => l.from === key(b1!) && l.to === key(s1))!;
    expect(real.linksWithdrawn).toEqual([bs.id]);
    expect(bs).toMatchObject({ status: 'withdrawn', withdrawnReason: 'reverted' });
    expect(real.constraintsAdded).toEqual([
      { id: expect.any(String) as string, kind: 'keep_apart', personIds: [b, s] },
    ]);

    const twice = await post(path, { reason: 'again' });
    expect(twice.status).toBe(409);
    expect(twice.body).toMatchObject({ code: 'ALREADY_REVERTED' });
    const notAMerge = await post(`/v1/audit/${real.auditId}/revert`, { reason: 'x' });
    expect(notAMerge.status).toBe(422);
    expect(notAMerge.body).toMatchObject({ code: 'NOT_A_MERGE' });
    const missing = await post('/v1/audit/aud_nothing/revert', { reason: 'x' });
    expect(missing.status).toBe(404);

    const [reverted] = await audit('kind=merge_reverted');
    expect(reverted).toMatchObject({
      id: real.auditId,
      actor: 'test-admin',
      reason: 'revert',
      note: 'DQ-9: wrong merge',
      mergeAuditId: merge.id,
      restoredId: b,
      survivorId: s,
    });
    expect((await audit('kind=merge')).find((m) => m.id === merge.id)?.revertedBy).toBe(
      real.auditId,
    );

    // The evidence again: the keep-apart constraint holds.
    await apply(event([b1!, s1], { occurredAt: at(6) }));
    expect(await personOf(b1!)).toBe(b);

    const items = await feedHas((all) => all.some((i) => i.type === 'person.restored'));
    expect(items).toContainEqual(
      expect.objectContaining({ type: 'person.restored', personId: b, fromPersonId: s }),
    );
    expect(items).toContainEqual(
      expect.objectContaining({
        type: 'identifier.moved',
        fromPersonId: s,
        toPersonId: b,
        count: 3,
      }),
    );
    expect(replay(items)).toEqual(new Set([s, b]));
  });

  it('with later joins gives each later identifier to the side its strongest links tie it to; later merges stay', async () => {
    const id = (v: string) => email(`eve.${v}`);
    const [s1, s2, b1, b2, n1, n2, n3, d1] = ['s1', 's2', 'b1', 'b2', 'n1', 'n2', 'n3', 'd1'].map(
      id,
    ) as [
      ReturnType<typeof id>,
      ReturnType<typeof id>,
      ReturnType<typeof id>,
      ReturnType<typeof id>,
      ReturnType<typeof id>,
      ReturnType<typeof id>,
      ReturnType<typeof id>,
      ReturnType<typeof id>,
    ];
    await apply(event([s1, s2], { occurredAt: at(1) }));
    await apply(event([b1, b2], { occurredAt: at(2) }));
    const [s, b] = [await personOf(s1), await personOf(b1)];
    await apply(event([b1, s1], { occurredAt: at(3) }));
    const merge = (await audit('kind=merge')).find((m) => m.absorbedIds?.[0] === b)!;
    // Later: n1 tied to b2, n2 to s2, n3 to b1 (0.9) and to s1 (0.6); D merged in through s2.
    await apply(event([b2, n1], { occurredAt: at(4) }));
    await apply(event([s2, n2], { occurredAt: at(5) }));
    await apply(event([b1, n3], { occurredAt: at(6), confidence: 0.9 }));
    await apply(event([s1, n3], { occurredAt: at(7), confidence: 0.6 }));
    await apply(event([d1], { occurredAt: at(8) }));
    const d = await personOf(d1);
    await apply(event([s2, d1], { occurredAt: at(9) }));
    expect(await personOf(d1)).toBe(s);

    const { real } = await dryThenReal(`/v1/audit/${merge.id}/revert`, { reason: 'DQ-10' });
    for (const x of [b1, b2, n1, n3]) expect(await personOf(x)).toBe(b);
    for (const x of [s1, s2, n2, d1]) expect(await personOf(x)).toBe(s);
    const byPair = new Map((await links()).map((l) => [`${l.from}|${l.to}`, l]));
    const link = (x: { type: string; value: string }, y: { type: string; value: string }) =>
      byPair.get(key(x) < key(y) ? `${key(x)}|${key(y)}` : `${key(y)}|${key(x)}`)!;
    expect(real.linksWithdrawn).toEqual([link(b1, s1).id, link(s1, n3).id].sort());
    expect(link(b1, n3).status).toBe('active');
    const dPerson = await http(
      current().baseUrl,
      'GET',
      `/v1/persons/${d}`,
      undefined,
      personSchema,
    );
    expect(dPerson.body.id).toBe(s);
    expect(real.persons.find((p) => p.personId === b)!.identifiersIn).toEqual([
      { type: 'email', count: 4, values: [b1, b2, n1, n3].map((x) => x.value).sort() },
    ]);
  });
});

describe('erasure and notes', () => {
  it('removes the operators’ notes from audit records concerning the erased persons', async () => {
    const [a, b] = [email('fay'), email('fay.b')];
    await apply(event([a, b], { occurredAt: at(1) }));
    const p = await personOf(a);
    const split = await post(`/v1/persons/${p}/split`, { identifiers: [b], reason: 'note to go' });
    expect(split.status).toBe(200);
    expect((await audit('kind=manual_split'))[0]?.note).toBe('note to go');
    const posted = await http<unknown>(current().baseUrl, 'POST', '/v1/privacy/requests', {
      type: 'erase',
      subject: { identifiers: [a] },
      reason: 'ticket ER-2',
    });
    expect(posted.status, JSON.stringify(posted.body)).toBe(202);
    const view = await waitForRequest(
      current().baseUrl,
      privacyRequestAcceptedSchema.parse(posted.body).id,
      testKeys[0]!.key,
    );
    expect(view.status).toBe('completed');
    const [record] = await audit('kind=manual_split');
    expect(record).toMatchObject({ id: split.body.auditId, actor: 'test-admin' });
    expect(record?.note).toBeUndefined();
  });
});
