import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { auditListSchema } from '../../src/api/schemas.js';
import { createRedis } from '../../src/ingest/redis-connection.js';
import { identifierHasherFromConfig } from '../../src/privacy/identifier-hash.js';
import {
  privacyRequestAcceptedSchema,
  privacyRequestViewSchema,
} from '../../src/privacy/privacy-contract.js';
import { redisContent, testGraph, waitForRequest } from '../support/privacy.js';
import {
  ADMIN_KEY,
  clearGraph,
  http,
  spawnWorker,
  startService,
  stopChild,
  type TestService,
  testEnv,
  waitForLine,
} from './harness.js';

/**
 * A privacy request interrupted by a worker killed with SIGKILL after its step committed completes
 * after a restart with the report an uninterrupted request gives: the committed step is not run
 * again (it would find nothing left to lift and report 0), and it is audited once.
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

function output(child: ReturnType<typeof spawnWorker>): () => string {
  let seen = '';
  child.stdout?.on('data', (chunk: Buffer) => (seen += chunk.toString()));
  return () => seen;
}

describe('privacy request crash', () => {
  it('completes after kill -9 and restart with the report of an uninterrupted request', async () => {
    const env = testEnv({ WORKER_LOCK_DURATION_MS: '2000', LOG_LEVEL: 'debug' });
    api = await startService(
      { INGEST_QUEUE: env.INGEST_QUEUE!, PRIVACY_QUEUE: env.PRIVACY_QUEUE! },
      'api',
    );
    await clearGraph(api.graph);
    graph = testGraph(api.config);
    const hash = identifierHasherFromConfig(api.config);
    const tag = randomUUID().slice(0, 8);
    const subject = (who: string) => [
      { type: 'email', value: `${who}.${tag}@example.org` },
      { type: 'user_id', value: `${who}-${tag}` },
      { type: 'crm_id', value: `crm-${who}-${tag}` },
    ];
    const keys = ['ann', 'bob'].flatMap((who) => subject(who).map((i) => `${i.type}:${i.value}`));
    await graph.query('cypher/write/add-suppressions', { hashes: keys.map(hash), requestId: 'x' });
    const request = async (who: string) => {
      const answer = await http(api!.baseUrl, 'POST', '/v1/privacy/requests', {
        type: 'unsuppress',
        subject: { identifiers: subject(who) },
        reason: `ticket ${who}`,
      });
      expect(answer.status).toBe(202);
      return privacyRequestAcceptedSchema.parse(answer.body).id;
    };

    const first = spawnWorker({ ...env, PRIVACY_TEST_HOLD: '1' }, workerEntry);
    children.push(first);
    const firstOutput = output(first);
    await waitForLine(first, 'privacy worker ready');
    const held = waitForLine(first, 'holding prq_');
    const interrupted = await request('bob');
    await held;
    // Killed with the unsuppress step committed: its suppressions gone, its mark and report kept.
    const during = await http(
      api.baseUrl,
      'GET',
      `/v1/privacy/requests/${interrupted}`,
      undefined,
      privacyRequestViewSchema,
    );
    expect(during.body).toMatchObject({
      status: 'in_progress',
      stepsDone: ['resolve_subject', 'unsuppress'],
      report: { suppressionsLifted: 3 },
    });
    await stopChild(first, 'SIGKILL');

    const second = spawnWorker(env, workerEntry);
    children.push(second);
    const secondOutput = output(second);
    await waitForLine(second, 'privacy worker ready');
    const resumed = await waitForRequest(api.baseUrl, interrupted, ADMIN_KEY, 60_000);
    const reference = await waitForRequest(api.baseUrl, await request('ann'), ADMIN_KEY);

    for (const view of [resumed, reference]) {
      expect(view.status).toBe('completed');
      expect(view.stepsDone).toEqual(['resolve_subject', 'unsuppress', 'hold']);
    }
    const { durationMs: _resumedMs, ...resumedReport } = resumed.report!;
    const { durationMs: _referenceMs, ...referenceReport } = reference.report!;
    expect(resumedReport).toEqual(referenceReport);
    expect(resumedReport).toEqual({
      subject: { identifiers: 3, notFound: 3 },
      suppressionsLifted: 3,
    });
    expect(await graph.query('cypher/read/suppressions')).toEqual([]);
    const audit = await http(
      api.baseUrl,
      'GET',
      '/v1/audit?kind=suppression_lifted',
      undefined,
      auditListSchema,
    );
    expect(audit.body.records.filter((r) => r.requestId === interrupted)).toEqual([
      expect.objectContaining({ count: 3, actor: 'test-admin', requestType: 'unsuppress' }),
    ]);

    // No value in the request nodes, the audit trail, the queue (the jobs are gone) or the logs.
    const redis = createRedis(api.config.REDIS_URL!, 'worker');
    try {
      const queue = await redisContent(redis, `${api.config.QUEUE_PREFIX}:${env.PRIVACY_QUEUE}:*`);
      const traces = JSON.stringify(await graph.query('cypher/read/privacy-traces'));
      const logs = firstOutput() + secondOutput();
      expect(logs).toContain('privacy request completed');
      for (const value of keys.map((k) => k.slice(k.indexOf(':') + 1))) {
        expect(traces).not.toContain(value);
        expect(queue).not.toContain(value);
        expect(logs).not.toContain(value);
      }
    } finally {
      redis.disconnect();
    }
  });
});
