import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { auditListSchema } from '../../src/api/schemas.js';
import type { IdentityEvent } from '../../src/events/event-schema.js';
import {
  type PrivacyReport,
  privacyRequestAcceptedSchema,
  privacyRequestViewSchema,
} from '../../src/privacy/privacy-contract.js';
import { testGraph, waitForRequest } from '../support/privacy.js';
import {
  ADMIN_KEY,
  clearGraph,
  http,
  ingestAll,
  invariants,
  noViolations,
  resolve,
  spawnWorker,
  startService,
  stopChild,
  type TestService,
  testEnv,
  waitForLine,
} from './harness.js';

/**
 * An erase request whose worker is killed with SIGKILL in the middle of its `delete_graph` step
 * (the first page of the subject's identifiers committed, the second not) completes after a
 * restart with the report an uninterrupted erasure of an identical subject gives: the committed
 * page is not counted twice, the split it made is not made again, and each page is audited once.
 */

const children: ReturnType<typeof spawnWorker>[] = [];
let api: TestService | undefined;
let graph: ReturnType<typeof testGraph> | undefined;

afterEach(async () => {
  await Promise.all(children.splice(0).map((c) => stopChild(c, 'SIGKILL')));
  await api?.close();
  await graph?.close();
});

const workerEntry = ['test/support/privacy-worker.ts'];
/** Two pages of the erase step (src/privacy/erase-steps.ts, ERASE_PAGE_SIZE). */
const RING = 1000;

/**
 * A subject: RING identifiers (emails and cookie ids in turn) on a ring, each event linking one to
 * the next with a first name (a record each). Three identifiers of someone else hang off it: `x`
 * linked to ring identifier 0, `y` to ring identifier 700 and `z` to `y`. Every subject value
 * carries `s-<who>-<tag>`, which nothing else does.
 */
function subject(who: string, tag: string) {
  const mark = `s-${who}-${tag}`;
  const ring = Array.from({ length: RING }, (_, j) =>
    j % 2 === 0
      ? { type: 'email', value: `r${j}.${mark}@example.org` }
      : { type: 'cookie_id', value: `ck-${mark}-${j}` },
  );
  const x = { type: 'user_id', value: `x-${who}-${tag}` };
  const y = { type: 'crm_id', value: `y-${who}-${tag}` };
  const z = { type: 'device_id', value: `z-${who}-${tag}` };
  const at = (k: number) => new Date(Date.UTC(2025, 0, 1) + k * 1000).toISOString();
  const events: IdentityEvent[] = ring.map((id, k) => ({
    id: `${who}-${tag}-${k}`,
    source: 'crm',
    occurredAt: at(k),
    identifiers: [id, ring[(k + 1) % RING]!],
    attributes: { firstName: `f${mark}x${k}` },
  }));
  events.push(
    { id: `${who}-${tag}-x`, source: 'web', occurredAt: at(RING), identifiers: [x, ring[0]!] },
    {
      id: `${who}-${tag}-y`,
      source: 'web',
      occurredAt: at(RING + 1),
      identifiers: [ring[700]!, y],
    },
    {
      id: `${who}-${tag}-z`,
      source: 'web',
      occurredAt: at(RING + 2),
      identifiers: [y, z],
      attributes: { firstName: `Other${who}` },
    },
  );
  return { mark, ring, x, y, z, events };
}

describe('erase request crash', () => {
  it('completes after kill -9 in the middle of delete_graph with the report of an uninterrupted erase', async () => {
    const env = testEnv({ WORKER_LOCK_DURATION_MS: '2000', LOG_LEVEL: 'info' });
    api = await startService(
      { INGEST_QUEUE: env.INGEST_QUEUE!, PRIVACY_QUEUE: env.PRIVACY_QUEUE! },
      'api',
    );
    await clearGraph(api.graph);
    graph = testGraph(api.config);
    const tag = randomUUID().slice(0, 8);
    const subjects = { ann: subject('ann', tag), bob: subject('bob', tag) };

    const first = spawnWorker({ ...env, PRIVACY_TEST_HOLD_ERASE_PAGE: '1' }, workerEntry);
    children.push(first);
    await waitForLine(first, 'privacy worker ready');
    // The same batches for both, so that their jobs are alike too.
    for (const { events } of Object.values(subjects)) {
      const jobs = await ingestAll(api, events, 250);
      expect(jobs.map((j) => j.counts.applied)).toEqual([250, 250, 250, 250, 3]);
    }
    const personOf = async (who: 'ann' | 'bob') => {
      const { ring, x, y, z } = subjects[who];
      const results = await resolve(api!, [ring[0]!, x, y, z]);
      expect(new Set(results.map((r) => r.personId)).size, JSON.stringify(results)).toBe(1);
      return results[0]!.personId!;
    };
    const before = { ann: await personOf('ann'), bob: await personOf('bob') };
    const erase = async (who: 'ann' | 'bob') => {
      const answer = await http(api!.baseUrl, 'POST', '/v1/privacy/requests', {
        type: 'erase',
        subject: { identifiers: subjects[who].ring },
        reason: `ticket ${who}`,
      });
      expect(answer.status).toBe(202);
      return privacyRequestAcceptedSchema.parse(answer.body).id;
    };

    const held = waitForLine(first, 'holding prq_', 120_000);
    const interrupted = await erase('bob');
    await held;
    // Killed with the first page erased and committed, the step not marked done.
    const during = await http(
      api.baseUrl,
      'GET',
      `/v1/privacy/requests/${interrupted}`,
      undefined,
      privacyRequestViewSchema,
    );
    expect(during.body).toMatchObject({
      status: 'in_progress',
      stepsDone: ['resolve_subject', 'suppress'],
      report: { identifiersErased: 500, suppressionsAdded: RING },
    });
    await stopChild(first, 'SIGKILL');

    const second = spawnWorker(env, workerEntry);
    children.push(second);
    await waitForLine(second, 'privacy worker ready');
    const resumed = await waitForRequest(api.baseUrl, interrupted, ADMIN_KEY, 120_000);
    const reference = await waitForRequest(api.baseUrl, await erase('ann'), ADMIN_KEY, 120_000);

    // Each report with its ids named by role: the subject's person, and the persons x and y are in
    // now; the time taken and the answer to BGREWRITEAOF (refused while one runs) left out.
    const byRole = async (who: 'ann' | 'bob', report: PrivacyReport) => {
      const { x, y, z, ring, mark } = subjects[who];
      const [gone, px, py, pz] = await resolve(api!, [ring[1]!, x, y, z]);
      expect(gone).toMatchObject({ personId: null, reason: 'not_found' });
      expect(py!.personId).toBe(pz!.personId);
      // Later entries win: the subject's person may be one of the others' now.
      const role = new Map([
        [px!.personId!, 'person of x'],
        [py!.personId!, 'person of y'],
        [before[who], 'subject person'],
      ]);
      const named = (id: string) => role.get(id) ?? 'other';
      const { durationMs: _ms, aofRewrite, personsSplit, personsErased, ...counts } = report;
      expect(['started', 'failed']).toContain(aofRewrite);
      // Nothing of the subject left in any property of any node or relationship.
      const stored = JSON.stringify(await graph!.query('cypher/read/every-property'));
      expect(stored.toLowerCase()).not.toContain(mark);
      return {
        counts,
        personsSplit: personsSplit?.map((s) => ({
          personId: named(s.personId),
          parts: s.parts.map(named),
        })),
        personsErased: personsErased?.map(named),
        samePerson: { y: py!.personId === before[who], x: px!.personId === before[who] },
      };
    };
    for (const view of [resumed, reference]) {
      expect(view.status, JSON.stringify(view)).toBe('completed');
      expect(view.stepsDone).toEqual([
        'resolve_subject',
        'suppress',
        'delete_graph',
        'scrub_queue',
        'rewrite_aof',
      ]);
    }
    const resumedReport = await byRole('bob', resumed.report!);
    const referenceReport = await byRole('ann', reference.report!);
    expect(resumedReport).toEqual(referenceReport);
    expect(referenceReport).toMatchObject({
      counts: {
        subject: { identifiers: RING, notFound: 0 },
        suppressionsAdded: RING,
        identifiersErased: RING,
        eventsErased: RING,
        eventsScrubbed: 2,
        // The subject's 5 ingest jobs completed, keeping their outcome only: nothing to scrub.
        jobsScrubbed: 0,
      },
      // The cookie ids went first (keys in order): x and y were held together only by emails.
      personsSplit: [{ personId: 'subject person', parts: ['person of x'] }],
      personsErased: [],
      samePerson: { y: true, x: false },
    });
    expect(await invariants(api.graph)).toEqual(noViolations);

    // One erasure audit record per page and one for the suppressions, for either request.
    const audit = await http(
      api.baseUrl,
      'GET',
      '/v1/audit?limit=1000',
      undefined,
      auditListSchema,
    );
    const kinds = (id: string) =>
      audit.body.records
        .filter((r) => r.requestId === id)
        .map((r) => r.kind)
        .sort();
    // The split the erasure made names the request, as its other records do.
    expect(kinds(reference.id)).toContain('split');
    expect(kinds(interrupted)).toEqual(kinds(reference.id));
    expect(kinds(interrupted).filter((k) => k === 'erasure')).toHaveLength(2);
  });
});
