import { readFileSync } from 'node:fs';
import Fastify, { type FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { ApiKey } from './api/auth.js';
import { buildApp } from './app.js';
import { relayChanges, sweepChanges } from './changes/change-relay.js';
import { deliverWebhook, webhookJobSchema } from './changes/webhook-delivery.js';
import { apiKeySchema, type Config, ConfigError, serviceAddresses } from './config.js';
import { connectGraph, type Graph } from './graph/graph-client.js';
import type { GraphHealth } from './graph/graph-health.js';
import { applyMigrations } from './graph/migrations.js';
import { createIngestQueue, ingestJobsKept, type IngestQueue } from './ingest/ingest-queue.js';
import { createIngestWorker } from './ingest/ingest-worker.js';
import { createIngestJobScrubber } from './ingest/ingest-scrub.js';
import {
  createModelRefresh,
  type ModelRefresh,
  modelRefreshQueueName,
} from './ingest/model-refresh.js';
import { createRedis, type RedisClient } from './ingest/redis-connection.js';
import { redactRedisUrl } from './ingest/redis-url.js';
import { graphServices, readinessChecks } from './runtime-api.js';
import { createPrivacyQueue, type PrivacyQueue } from './jobs/privacy-queue.js';
import { createPrivacyWorker } from './jobs/privacy-worker.js';
import { type Logger, redactUri, safeError } from './logger.js';
import { createMetrics, type Metrics } from './metrics/metrics.js';
import { sweepExports } from './privacy/access-step.js';
import { identifierHasherFromConfig } from './privacy/identifier-hash.js';
import { createPrivacyRunner, type PrivacyRunnerDeps } from './privacy/privacy-runner.js';
import type { StepRegistry } from './privacy/privacy-step.js';
import { privacySteps } from './privacy/privacy-steps.js';
import { createResolverFromConfig } from './resolver/resolver-factory.js';
import type { ResolverService } from './resolver/resolver-service.js';
import { DEVELOPMENT_KEY_SECRET } from './matching/record-matcher.js';
import { followsActiveModel } from './matching/model/model-follower.js';
import { refreshU, type URefreshOutcome } from './matching/refresh/u-refresh.js';
import { startScheduledJob } from './jobs/scheduled-job.js';
import {
  createWebhookQueue,
  createWebhookWorker,
  type WebhookQueue,
} from './jobs/webhook-queue.js';

/**
 * Wires the service from a parsed config: clients, migrations, API and/or worker. `main.ts` runs it
 * as a process; integration tests run it in-process against the real Neo4j and Redis.
 * Whoever creates a client closes it: `close()` stops the HTTP server, lets in-flight jobs finish,
 * then closes the queue, the Neo4j driver and Redis, in that order.
 */

export type Role = 'all' | 'api' | 'worker';

export interface Runtime {
  app: FastifyInstance | undefined;
  metrics: Metrics;
  graph: Graph;
  ingest: IngestQueue;
  /**
   * The u refresh of the built-in model, in a process that runs workers (MATCH_U_REFRESH on, no
   * MATCH_MODEL_FILE): `trigger()` runs a check now, as the scheduler does every few minutes.
   */
  modelRefresh: Pick<ModelRefresh<URefreshOutcome>, 'trigger'> | undefined;
  /** The webhook deliveries queue (worker roles only). */
  webhooks: WebhookQueue | undefined;
  privacy: PrivacyQueue;
  close(): Promise<void>;
}

export interface RuntimeOptions {
  role: Role;
  logger: Logger;
  /** API keys; `main.ts` passes the configured ones, or a generated development key. */
  apiKeys?: readonly ApiKey[];
  /** Changes the privacy request steps (tests add a slow step to kill a worker in). */
  privacySteps?: (steps: StepRegistry) => StepRegistry;
}

/** Privacy requests one worker process runs at once: they are few, and each runs in pages. */
const PRIVACY_CONCURRENCY = 2;

/** Keys from IDGRAPH_API_KEYS and IDGRAPH_API_KEYS_FILE (both may be given; names must be unique). */
export function configuredApiKeys(config: Config): ApiKey[] {
  const keys: ApiKey[] = [...(config.IDGRAPH_API_KEYS ?? [])];
  if (config.IDGRAPH_API_KEYS_FILE) {
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(config.IDGRAPH_API_KEYS_FILE, 'utf8'));
    } catch {
      throw new ConfigError([{ key: 'IDGRAPH_API_KEYS_FILE', message: 'cannot be read as JSON' }]);
    }
    const parsed = z.array(apiKeySchema).safeParse(raw);
    if (!parsed.success)
      throw new ConfigError([
        {
          key: 'IDGRAPH_API_KEYS_FILE',
          message: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '),
        },
      ]);
    keys.push(...parsed.data);
  }
  const names = new Set<string>();
  for (const key of keys) {
    if (names.has(key.name))
      throw new ConfigError([
        { key: 'IDGRAPH_API_KEYS', message: `duplicate key name ${key.name}` },
      ]);
    names.add(key.name);
  }
  return keys;
}

/**
 * The change feed's background work in a worker process: the relay and the retention sweep as
 * scheduled jobs (one run at a time across the deployment), and the webhook deliveries. Returns
 * the closers, workers before the queue.
 */
async function startChangeFeed(
  config: Config,
  deps: {
    graph: Graph;
    health: GraphHealth;
    connection: RedisClient;
    metrics: Metrics;
    logger: Logger;
  },
): Promise<{ webhooks: WebhookQueue; closers: (() => Promise<unknown>)[] }> {
  const { graph, health, connection, metrics, logger } = deps;
  const prefix = config.QUEUE_PREFIX;
  const endpoints = config.WEBHOOKS ?? [];
  const retentionMs = config.CHANGE_FEED_RETENTION_HOURS * 3600_000;
  const webhooks = createWebhookQueue({
    connection,
    prefix,
    attempts: config.WEBHOOK_ATTEMPTS,
    backoffMs: config.WEBHOOK_BACKOFF_MS,
    failedRetentionSeconds: Math.ceil(retentionMs / 1000),
    logger,
  });
  const closers: (() => Promise<unknown>)[] = [];
  try {
    if (endpoints.length > 0) {
      const byName = new Map(endpoints.map((e) => [e.name, e]));
      const worker = createWebhookWorker({
        connection,
        prefix,
        concurrency: config.WEBHOOK_CONCURRENCY,
        deliveredRetentionSeconds: Math.ceil(retentionMs / 1000),
        parse: (data) => {
          const parsed = webhookJobSchema.safeParse(data);
          return parsed.success && byName.has(parsed.data.endpoint) ? parsed.data : undefined;
        },
        deliver: (job) =>
          deliverWebhook(byName.get(job.endpoint)!, job, { timeoutMs: config.WEBHOOK_TIMEOUT_MS }),
        onOutcome: (endpoint, outcome, seconds) =>
          metrics.observeDelivery(endpoint, outcome, seconds),
        logger,
      });
      closers.push(() => worker.close());
    }
    const tasks = [
      {
        name: 'change-relay',
        everyMs: config.CHANGE_FEED_RELAY_INTERVAL_MS,
        run: () =>
          relayChanges({
            graph,
            endpoints,
            enqueue: (deliveries) => webhooks.enqueue(deliveries),
            observe: (batch) => metrics.observeRelayed(batch),
          }),
      },
      {
        name: 'change-sweep',
        // Often enough that an entry outlives the retention by at most a quarter of it (a minute).
        everyMs: Math.max(100, Math.min(60_000, Math.floor(retentionMs / 4))),
        run: () => sweepChanges({ graph, retentionMs }),
      },
    ];
    for (const task of tasks) {
      const job = await startScheduledJob({
        ...task,
        run: whileGraphUp(health, task.run),
        connection,
        prefix,
        logger,
      });
      // Before the webhook worker: a relay run in flight finishes enqueueing first.
      closers.unshift(() => job.close());
    }
  } catch (error) {
    for (const close of closers) await close().catch(() => undefined);
    await webhooks.close().catch(() => undefined);
    throw error;
  }
  closers.push(() => webhooks.close());
  return { webhooks, closers };
}

/** A scheduled task's run that does nothing while Neo4j is down (the next run comes soon). */
function whileGraphUp(health: GraphHealth, run: () => Promise<unknown>) {
  return async () => (health.isUp() ? run() : undefined);
}

async function waitFor(
  what: string,
  probe: () => Promise<void>,
  logger: Logger,
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let attempt = 1; ; attempt++) {
    try {
      await probe();
      return;
    } catch (error) {
      if (Date.now() > deadline)
        throw new Error(`${what} did not answer within ${timeoutMs / 1000}s`, { cause: error });
      if (attempt === 1) logger.info(`waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

/** The privacy request steps, with what they need of this runtime (erasures scrub ingest jobs). */
function runtimeSteps(config: Config, redis: RedisClient, options: RuntimeOptions): StepRegistry {
  const steps = privacySteps({
    config,
    scrubIngestJobs: createIngestJobScrubber({
      connection: redis,
      queueName: config.INGEST_QUEUE,
      prefix: config.QUEUE_PREFIX,
    }),
  });
  return options.privacySteps?.(steps) ?? steps;
}

/**
 * The privacy queue's worker, running requests with the runner (src/privacy/privacy-runner.ts); a
 * request that meets a Neo4j outage waits for it and resumes, without using up its attempts.
 */
function startPrivacyWorker(config: Config, deps: PrivacyRunnerDeps, health: GraphHealth) {
  const runner = createPrivacyRunner(deps);
  return createPrivacyWorker({
    connection: deps.redis,
    queueName: config.PRIVACY_QUEUE,
    prefix: config.QUEUE_PREFIX,
    concurrency: PRIVACY_CONCURRENCY,
    lockDurationMs: config.WORKER_LOCK_DURATION_MS,
    // A request may be taken over from a crashed worker as often as it may fail.
    maxStalledCount: config.JOB_ATTEMPTS,
    logger: deps.logger,
    run: (job) => health.untilDone(() => runner.run(job)),
  });
}

/**
 * The u refresh of the built-in model, in a worker process, when the process follows the active
 * model (MATCH_U_REFRESH on, no MATCH_MODEL_FILE); undefined otherwise.
 */
async function startModelRefresh(
  config: Config,
  deps: { graph: Graph; connection: RedisClient; logger: Logger; follow: () => Promise<unknown> },
): Promise<ModelRefresh<URefreshOutcome> | undefined> {
  if (!followsActiveModel(config)) return undefined;
  const { graph, logger } = deps;
  return createModelRefresh({
    connection: deps.connection,
    queueName: modelRefreshQueueName(config.INGEST_QUEUE),
    prefix: config.QUEUE_PREFIX,
    lockDurationMs: config.WORKER_LOCK_DURATION_MS,
    logger,
    run: async (signal) => {
      const outcome = await refreshU(
        { graph, logger, signal },
        {
          minRecords: config.MATCH_U_MIN_RECORDS,
          refreshHours: config.MATCH_U_REFRESH_HOURS,
          secret: config.MATCH_KEY_SECRET ?? DEVELOPMENT_KEY_SECRET,
        },
      );
      // This process switches at once; the others when they next poll.
      if (outcome.refreshed) await deps.follow();
      return outcome;
    },
  });
}

/**
 * Before the worker takes a job (and the process reports ready): Neo4j plans the resolver's
 * statements on a rolled-back batch, not on the first real one. A failure only costs that time.
 */
async function warmUpResolver(resolver: Pick<ResolverService, 'warmUp'>, logger: Logger) {
  const started = performance.now();
  try {
    await resolver.warmUp();
    logger.info({ ms: Math.round(performance.now() - started) }, 'resolver warmed up');
  } catch (error) {
    logger.warn({ err: safeError(error) }, 'resolver warm-up failed; the first batch plans');
  }
}

/**
 * Privacy requests' background work in a worker process: the privacy queue's worker, and the sweep
 * that deletes expired access exports (they hold personal data) about every quarter of their TTL.
 * Returns the closers.
 */
async function startPrivacyWork(
  config: Config,
  deps: PrivacyRunnerDeps,
  health: GraphHealth,
): Promise<(() => Promise<unknown>)[]> {
  const ttlMs = config.PRIVACY_EXPORT_TTL_HOURS * 3600_000;
  const sweep = await startScheduledJob({
    name: 'privacy-export-sweep',
    everyMs: Math.max(100, Math.min(60_000, Math.floor(ttlMs / 4))),
    run: whileGraphUp(health, () => sweepExports(deps.graph, Date.now())),
    connection: deps.redis,
    prefix: config.QUEUE_PREFIX,
    logger: deps.logger,
  });
  const worker = startPrivacyWorker(config, deps, health);
  return [() => sweep.close(), () => worker.close()];
}

/** A worker-only process has no API; it still serves /metrics for Prometheus. */
async function serveMetrics(metrics: Metrics, host: string, port: number) {
  const metricsApp = Fastify();
  metricsApp.get('/metrics', async (_request, reply) =>
    reply.type(metrics.registry.contentType).send(await metrics.registry.metrics()),
  );
  await metricsApp.listen({ host, port });
  return metricsApp;
}

export async function createRuntime(config: Config, options: RuntimeOptions): Promise<Runtime> {
  const { logger, role } = options;
  const { neo4jUri, redisUrl } = serviceAddresses(config);
  const metrics = createMetrics();
  // The workers' graph waits for Neo4j patiently; the API's fails fast (graph-health.ts).
  const neo4j = connectGraph(
    {
      uri: neo4jUri,
      user: config.NEO4J_USER,
      password: config.NEO4J_PASSWORD,
      database: config.NEO4J_DATABASE,
      maxPoolSize: config.NEO4J_MAX_POOL_SIZE,
      logger,
      timings: metrics.graphTimings,
    },
    role !== 'worker',
  );
  const { graph, apiGraph, health } = neo4j;
  const apiRedis = createRedis(redisUrl, 'api', logger);
  let workerRedis: RedisClient | undefined;
  let modelRefresh: ModelRefresh<URefreshOutcome> | undefined;
  const closers: (() => Promise<unknown>)[] = [];
  try {
    await waitFor('neo4j', () => graph.ping(), logger);
    await waitFor('redis', async () => void (await apiRedis.ping()), logger);
    await applyMigrations(graph, logger);
    logger.info({ neo4j: redactUri(neo4jUri), redis: redactRedisUrl(redisUrl), role }, 'connected');

    const queue = { connection: apiRedis, prefix: config.QUEUE_PREFIX, logger };
    const attempts = config.JOB_ATTEMPTS;
    const ingest = createIngestQueue({
      ...queue,
      queueName: config.INGEST_QUEUE,
      attempts,
      keepCompleted: ingestJobsKept(config),
    });
    const privacy = createPrivacyQueue({ ...queue, queueName: config.PRIVACY_QUEUE, attempts });
    const steps = runtimeSteps(config, apiRedis, options);
    const hasher = identifierHasherFromConfig(config);

    const configured = await createResolverFromConfig(config, { graph, logger });
    closers.push(async () => configured.close());
    const { resolver: resolverService, registry } = configured;
    let webhooks: WebhookQueue | undefined;

    if (role === 'all' || role === 'worker') {
      await warmUpResolver(resolverService, logger);
      workerRedis = createRedis(redisUrl, 'worker', logger);
      const worker = createIngestWorker({
        connection: workerRedis,
        queueName: config.INGEST_QUEUE,
        prefix: config.QUEUE_PREFIX,
        concurrency: config.WORKER_CONCURRENCY,
        lockDurationMs: config.WORKER_LOCK_DURATION_MS,
        // Bookmarks are monotonic: those read right after the commit include the batch's own write.
        resolver: {
          // A Neo4j outage is waited out, never counted against the job's attempts.
          resolveBatch: async (jobId, events) => ({
            ...(await health.untilDone(() => resolverService.resolveBatch(jobId, events))),
            bookmarks: graph.lastBookmarks(),
          }),
        },
        logger,
        onBatch: (result, ms) => metrics.observeBatch(result, ms / 1000),
      });
      // Workers close before the queue and the driver: in-flight batches finish and commit first.
      closers.push(() => worker.close());
      modelRefresh = await startModelRefresh(config, {
        graph,
        connection: workerRedis,
        logger,
        follow: () => configured.followModel(),
      });
      if (modelRefresh) closers.push(() => modelRefresh!.close());
      const feed = await startChangeFeed(config, {
        graph,
        health,
        connection: workerRedis,
        metrics,
        logger,
      });
      webhooks = feed.webhooks;
      closers.push(...feed.closers);
      metrics.trackWebhooks(() => feed.webhooks.counts());
      const privacyWork = await startPrivacyWork(
        config,
        { graph, redis: workerRedis, registry, hasher, steps, logger },
        health,
      );
      closers.push(...privacyWork);
    }

    let app: FastifyInstance | undefined;
    if (role === 'all' || role === 'api') {
      metrics.trackQueue(() => ingest.depth());
      app = await buildApp({
        logger,
        ingest,
        apiKeys: options.apiKeys ?? configuredApiKeys(config),
        metrics,
        rateLimit: { max: config.RATE_LIMIT_MAX, windowMs: config.RATE_LIMIT_WINDOW_MS },
        eventsWaitTimeoutMs: config.EVENTS_WAIT_TIMEOUT_MS,
        ...graphServices(apiGraph, {
          registry,
          hasher,
          planWriter: resolverService.planWriter,
          matchers: configured.matchers,
          privacy,
          steps,
        }),
        readiness: readinessChecks(health, apiGraph, apiRedis),
      });
      // The HTTP server closes first, before the workers.
      closers.unshift(() => app!.close());
    } else if (config.METRICS_PORT !== undefined) {
      const metricsApp = await serveMetrics(metrics, config.HOST, config.METRICS_PORT);
      closers.unshift(() => metricsApp.close());
    }

    return {
      app,
      metrics,
      graph,
      ingest,
      modelRefresh,
      webhooks,
      privacy,
      async close() {
        // First: work waiting for Neo4j stops waiting, so the workers can close.
        health.close();
        for (const close of closers)
          await close().catch((error: unknown) =>
            logger.warn({ err: safeError(error) }, 'close failed'),
          );
        await ingest.close().catch(() => undefined);
        await privacy.close().catch(() => undefined);
        await neo4j.close();
        await workerRedis?.quit().catch(() => undefined);
        await apiRedis.quit().catch(() => undefined);
      },
    };
  } catch (error) {
    await neo4j.close().catch(() => undefined);
    workerRedis?.disconnect();
    apiRedis.disconnect();
    throw error;
  }
}
