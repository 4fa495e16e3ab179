import { randomUUID } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import { Queue } from 'bullmq';
import { afterEach, describe, expect, it } from 'vitest';
import type { IdentityEvent } from '../../src/events/event-schema.js';
import { createRedis } from '../../src/ingest/redis-connection.js';
import {
  privacyRequestAcceptedSchema,
  privacyRequestViewSchema,
} from '../../src/privacy/privacy-contract.js';
import { generateStream, pairwiseScores } from '../support/identity-generator.js';
import { redisContent, testGraph } from '../support/privacy.js';
import {
  clearGraph,
  event,
  http,
  invariants,
  noViolations,
  partitionOf,
  resolve,
  spawnWorker,
  startService,
  stopChild,
  type TestService,
  testEnv,
  totals,
  waitForJob,
  waitForLine,
} from './harness.js';

/**
 * An erasure racing with a stream of events: events of the subject alone, events of the subject
 * with an identifier of someone else, and other persons' events, posted before, while and after
 * the erase request runs, through two worker processes. Afterwards nothing of the subject is left
 * (no identifier, record, event, link, nor a value in Redis); every batch that ran after the
 * suppression counted the subject's identifiers it carried as suppressed (or found them scrubbed
 * from its payload), every batch posted after the request completed counted them; and no other
 * person's event is lost: the others' persons are those a serial run makes.
 */

let api: TestService | undefined;
let graph: ReturnType<typeof testGraph> | undefined;
let redis: ReturnType<typeof createRedis> | undefined;

const children: ReturnType<typeof spawnWorker>[] = [];

afterEach(async () => {
  await Promise.all(children.splice(0).map((c) => stopChild(c)));
  await api?.close();
  await graph?.close();
  redis?.disconnect();
});

const BATCH = 35;

interface Batch {
  events: IdentityEvent[];
  /** Subject identifiers the events carry (each event's counted once). */
  subjectIds: number;
  /** Events that carry nothing but subject identifiers. */
  subjectOnly: string[];
  jobId?: string;
}

describe('erasure racing with ingestion', () => {
  it('resurrects nothing of the subject and loses no other event', async () => {
    const env = testEnv({ WORKER_CONCURRENCY: '1' });
    api = await startService(
      { INGEST_QUEUE: env.INGEST_QUEUE!, PRIVACY_QUEUE: env.PRIVACY_QUEUE! },
      'api',
    );
    for (const worker of [spawnWorker(env), spawnWorker(env)]) {
      children.push(worker);
      await waitForLine(worker, 'idgraph worker ready');
    }
    await clearGraph(api.graph);
    graph = testGraph(api.config);
    redis = createRedis(api.config.REDIS_URL!, 'worker');
    const tag = randomUUID().slice(0, 8);
    const subject = [
      { type: 'email', value: `Subj.${tag}@Example.org` },
      { type: 'user_id', value: `subj-${tag}` },
      { type: 'crm_id', value: `crm-subj-${tag}` },
      { type: 'device_id', value: `dev-subj-${tag}` },
    ];
    const subjectKeys = new Set(subject.map((i) => `${i.type}:${i.value.toLowerCase()}`));
    const isSubject = (i: { type: string; value: string }) =>
      subjectKeys.has(`${i.type}:${i.value.toLowerCase()}`);
    const erasedValues = [
      ...subject.map((i) => i.value.toLowerCase()),
      `subjname${tag}`,
      `subjlast${tag}`,
    ];

    // Other persons' stream with, every 30 events, an event of the subject (all four of its
    // identifiers first, then one to three of them, with a name) and every 60 an event of the
    // subject's email with an identifier of someone else (`mixed-<n>`, a person of its own).
    const stream = generateStream({ events: 1200, seed: 23 });
    const truth = new Map<string, number | string>(stream.truth);
    const sequence: IdentityEvent[] = [];
    let subjectEvents = 0;
    const mixed: { type: string; value: string }[] = [];
    stream.events.forEach((e, n) => {
      sequence.push(e);
      if (n % 30 !== 29) return;
      const ids =
        subjectEvents === 0
          ? subject
          : subject.filter((_, k) => (k + subjectEvents) % 4 < 1 + (subjectEvents % 3));
      sequence.push(
        event(ids, {
          id: `subject-${tag}-${subjectEvents}`,
          attributes: { firstName: `SubjName${tag}`, lastName: `SubjLast${tag}` },
        }),
      );
      subjectEvents += 1;
      if (n % 60 === 59) {
        const other = { type: 'user_id', value: `mixed-${mixed.length}-${tag}` };
        truth.set(`user_id:${other.value}`, `mixed-${mixed.length}`);
        mixed.push(other);
        sequence.push(event([subject[0]!, other], { id: `mixed-${tag}-${mixed.length}` }));
      }
    });
    const batches: Batch[] = [];
    for (let i = 0; i < sequence.length; i += BATCH) {
      const events = sequence.slice(i, i + BATCH);
      batches.push({
        events,
        subjectIds: events.reduce((n, e) => n + e.identifiers.filter(isSubject).length, 0),
        subjectOnly: events.filter((e) => e.identifiers.every(isSubject)).map((e) => e.id),
      });
    }
    const post = async (batch: Batch) => {
      const posted = await http<{ jobId: string }>(api!.baseUrl, 'POST', '/v1/events', {
        events: batch.events,
      });
      expect(posted.status).toBe(202);
      batch.jobId = posted.body.jobId;
    };
    const before = batches.slice(0, 6);
    const racing = batches.slice(6, -3);
    const after = batches.slice(-3);

    // Before: the subject exists, linked, with records, events and a mixed event.
    for (const batch of before) {
      await post(batch);
      await waitForJob(api, batch.jobId!);
    }
    expect((await resolve(api, subject)).map((r) => r.reason)).not.toContain('not_found');

    // While: half the racing batches go in one after another, the request is posted after the
    // fourth; the other half goes in once the request has resolved its subject, so that batches of
    // the subject are queued and running while the request suppresses and deletes.
    let posted = 0;
    let resolved = false;
    let suppressedBy = Number.POSITIVE_INFINITY;
    const half = Math.floor(racing.length / 2);
    const poster = (async () => {
      for (const batch of racing) {
        if (posted === half) while (!resolved) await new Promise((r) => setTimeout(r, 5));
        await post(batch);
        posted += 1;
        if (posted < half) await new Promise((r) => setTimeout(r, 30));
      }
    })();
    while (posted < 4) await new Promise((r) => setTimeout(r, 5));
    const answer = await http(api.baseUrl, 'POST', '/v1/privacy/requests', {
      type: 'erase',
      subject: { identifiers: subject },
      reason: 'ticket RACE-1',
    });
    expect(answer.status).toBe(202);
    const requestId = privacyRequestAcceptedSchema.parse(answer.body).id;
    for (;;) {
      const view = await http(
        api.baseUrl,
        'GET',
        `/v1/privacy/requests/${requestId}`,
        undefined,
        privacyRequestViewSchema,
      );
      const done = view.body.status === 'completed' || view.body.status === 'failed';
      if (done || view.body.stepsDone.includes('resolve_subject')) resolved = true;
      if (suppressedBy === Number.POSITIVE_INFINITY && view.body.stepsDone.includes('suppress'))
        suppressedBy = Date.now();
      if (done) {
        expect(view.body.status, JSON.stringify(view.body)).toBe('completed');
        break;
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    await poster;
    // After: posted once the request has completed.
    for (const batch of after) await post(batch);

    const queue = new Queue(api.config.INGEST_QUEUE, {
      connection: redis,
      prefix: api.config.QUEUE_PREFIX,
    });
    const raced = { before: 0, scrubbed: 0, suppressed: 0 };
    try {
      for (const batch of [...before, ...racing, ...after]) {
        const job = await waitForJob(api, batch.jobId!, 120_000);
        expect(job.state, JSON.stringify(job)).toBe('completed');
        const { processedOn } = (await queue.getJob(batch.jobId!))!;
        const subjectOnly = batch.subjectOnly.map((eventId) => ({
          eventId,
          source: 'web',
          reason: 'suppressed',
        }));
        // Ran before the suppression; ran after it; or its payload was scrubbed before it ran.
        const outcomes = {
          before: {
            counts: { applied: batch.events.length, rejected: 0, suppressed: 0 },
            rejected: undefined,
          },
          suppressed: {
            counts: {
              applied: batch.events.length - subjectOnly.length,
              rejected: subjectOnly.length,
              suppressed: batch.subjectIds,
            },
            rejected: subjectOnly,
          },
          scrubbed: {
            counts: {
              applied: batch.events.length - subjectOnly.length,
              rejected: 0,
              suppressed: 0,
            },
            rejected: undefined,
          },
        };
        const which = (Object.keys(outcomes) as (keyof typeof outcomes)[]).filter((k) =>
          isDeepStrictEqual(
            { ...outcomes[k], rejected: outcomes[k].rejected ?? [] },
            {
              counts: {
                applied: job.counts.applied,
                rejected: job.counts.rejected,
                suppressed: job.counts.suppressed,
              },
              rejected: job.rejected,
            },
          ),
        );
        expect(job.counts.duplicates).toBe(0);
        expect(which, JSON.stringify({ batch: batch.jobId, job, outcomes })).not.toEqual([]);
        if (before.includes(batch)) expect(which).toContain('before');
        else if (after.includes(batch) || processedOn! > suppressedBy)
          expect(which.filter((k) => k !== 'before')).not.toEqual([]);
        if (after.includes(batch)) expect(which).toContain('suppressed');
        if (racing.includes(batch) && batch.subjectIds > 0) raced[which[0]!] += 1;
      }
    } finally {
      await queue.close();
    }
    // The race covered each case it can (not asserted: it depends on timing).
    if (process.env.TEST_LOG_LEVEL)
      process.stderr.write(`racing batches: ${JSON.stringify(raced)}\n`);

    // Nothing of the subject: no identifier, and no value in any property of any node or
    // relationship (records, event payloads, link evidence) nor in any Redis key.
    const found = await resolve(api, subject);
    expect(found.map((r) => r.reason)).toEqual(subject.map(() => 'not_found'));
    const stored =
      `${JSON.stringify(await graph.query('cypher/read/every-property'))}\n${await redisContent(redis, '*')}`.toLowerCase();
    for (const value of erasedValues) expect(stored).not.toContain(value);
    expect(stored).toContain(`mixed-0-${tag}`);

    // Every other event applied once; the others' persons as a serial run makes them (the
    // generator's truth; each mixed identifier a person of its own).
    const others = stream.events.length + mixed.length;
    const result = await totals(api.graph);
    expect(result.events).toBe(others);
    expect(result.identifiers).toBe(truth.size);
    expect(result.mentions).toBe(
      stream.events.reduce((n, e) => n + e.identifiers.length, 0) + mixed.length,
    );
    // One unit of link evidence per (event, identifier linked to the event's anchor).
    expect(result.evidence).toBe(stream.events.reduce((n, e) => n + e.identifiers.length - 1, 0));
    expect(await invariants(api.graph)).toEqual(noViolations);
    expect(pairwiseScores(await partitionOf(api.graph), truth)).toMatchObject({
      precision: 1,
      recall: 1,
    });
  });
});
