#!/usr/bin/env node
/**
 * `npm run test:cluster`: the integration tests that run the queues (ingest, privacy, webhooks, the
 * scheduled tasks, the model refresh) with their Redis a local three-master Redis Cluster, which the
 * integration setup starts and stops (IDGRAPH_TEST_REDIS_CLUSTER=1, scripts/redis-cluster.mjs).
 * Extra arguments go to vitest (`npm run test:cluster -- test/integration/webhooks.test.ts` runs
 * that file alone). Neo4j is started as for `npm test`.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { REPO_ROOT } from './local-services.mjs';

/** The files whose tests ingest through the queue or run its workers; together a few minutes. */
const CLUSTER_TEST_FILES = [
  'redis-cluster', // keys in one slot, 503 when the cluster is down
  'resolver-scenarios', // batches through the queue, dead letters and their retry
  'api-contract', // POST /v1/events?wait=true (QueueEvents), job state, dead-letter routes
  'concurrency', // two worker processes x 4 jobs each on one queue
  'worker-crash', // kill -9 a worker mid-batch: its job is taken over, applied once
  'change-feed', // the relay and retention sweep as scheduled jobs
  'webhooks', // the webhooks queue, its retries and dead letters
  'u-refresh', // the model refresh queue and its QueueEvents
  'privacy-requests', // the privacy queue and worker
  'privacy-erase', // scrubbing queued ingest jobs, BGREWRITEAOF on every node
  'privacy-crash', // a privacy worker killed mid-request resumes
].map((name) => `test/integration/${name}.test.ts`);

// A REDIS_URL is used as it is (the setup starts no Redis then): it must name a cluster.
const external = process.env.REDIS_URL;
if (external && !/^rediss?\+cluster:\/\//.test(external)) {
  console.error(
    'REDIS_URL names a single server: unset it (a local cluster is started) or give a redis+cluster:// URL',
  );
  process.exit(2);
}

const extra = process.argv.slice(2);
const child = spawn(
  process.execPath,
  [
    path.join(REPO_ROOT, 'node_modules', 'vitest', 'vitest.mjs'),
    'run',
    '--project',
    'integration',
    ...(extra.length > 0 ? extra : CLUSTER_TEST_FILES),
  ],
  { cwd: REPO_ROOT, stdio: 'inherit', env: { ...process.env, IDGRAPH_TEST_REDIS_CLUSTER: '1' } },
);
const forward = (signal) => child.kill(signal);
process.on('SIGINT', forward);
process.on('SIGTERM', forward);
child.once('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
