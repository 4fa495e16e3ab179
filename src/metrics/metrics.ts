import { MATCHING_STAGES, type MatchingOutcome } from '../resolver/batch-outcome.js';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/**
 * Prometheus metrics (prom-client), one registry per process. `/metrics` is served without auth, as
 * Prometheus scrapes it: keep it off the public edge (docs/operations.md). Labels never carry
 * identifier values: routes are patterns, not URLs.
 */

export type Metrics = ReturnType<typeof createMetrics>;

/** Seconds, for statements and commits: from an index seek to a long lock wait. */
const GRAPH_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10];

export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'idgraph_' });
  const httpDuration = new Histogram({
    name: 'idgraph_http_request_duration_seconds',
    help: 'HTTP request latency by route pattern, method and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
    registers: [registry],
  });
  const batchDuration = new Histogram({
    name: 'idgraph_resolver_batch_duration_seconds',
    help: 'Time to resolve one ingest batch (one Neo4j transaction)',
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  // Statement names and transaction names are fixed sets (cypher/ and the resolver's), never values.
  const statementDuration = new Histogram({
    name: 'idgraph_graph_statement_duration_seconds',
    help: 'Time of each statement of a write transaction, round trip included, by statement name (cypher/queries). Waiting for a lock counts: a rising write/lock-matching means batches queue for the matching clock.',
    labelNames: ['statement'] as const,
    buckets: GRAPH_BUCKETS,
    registers: [registry],
  });
  const commitDuration = new Histogram({
    name: 'idgraph_graph_commit_duration_seconds',
    help: 'Time to commit a write transaction, from the end of its last statement, by transaction name',
    labelNames: ['transaction'] as const,
    buckets: GRAPH_BUCKETS,
    registers: [registry],
  });
  const events = new Counter({
    name: 'idgraph_resolver_events_total',
    help: 'Events handled by the resolver, by outcome',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });
  const merges = new Counter({
    name: 'idgraph_merges_total',
    help: 'Persons absorbed by merges',
    registers: [registry],
  });
  const matching = new Counter({
    name: 'idgraph_matching_total',
    help: 'Probabilistic matching, by stage: records stored, candidates found (before the cap), records over the candidate cap, pairs scored, pairs linked, pairs sent to review, and of those the ones held for lack of identity evidence (identityHeld), matched pairs not linked because an anchor identifier has denied identity_linking consent (consentDenied). candidates / records is the mean candidate count per record.',
    labelNames: ['stage'] as const,
    registers: [registry],
  });
  // Rule names come from the model's blocking rules: a fixed set per model.
  const ruleCounter = (name: string, help: string) =>
    new Counter({ name, help, labelNames: ['rule'] as const, registers: [registry] });
  const byRule = {
    skippedBlocks: ruleCounter(
      'idgraph_matching_blocks_skipped_total',
      "Records' blocks skipped as larger than MATCH_MAX_BLOCK_SIZE, by blocking rule name (one per record and block): pairs that rule would have found were not scored",
    ),
    cappedRecords: ruleCounter(
      'idgraph_matching_records_capped_total',
      'Records over MATCH_MAX_CANDIDATES that lost candidates a blocking rule found, by rule name',
    ),
    cutCandidates: ruleCounter(
      'idgraph_matching_candidates_cut_total',
      'Candidates a blocking rule found that the MATCH_MAX_CANDIDATES cap left unscored, by rule name',
    ),
  };
  // Attribute names only: a fixed set (the standard attributes), never values.
  const attributeWarnings = new Counter({
    name: 'idgraph_attribute_warnings_total',
    help: 'Attribute values kept as given but not clean (a date of birth that is not a calendar date), by attribute name',
    labelNames: ['attribute'] as const,
    registers: [registry],
  });
  const refusals = new Counter({
    name: 'idgraph_merge_refusals_total',
    help: 'Merges refused by over-merge protection',
    registers: [registry],
  });
  // Queue depth is read from Redis at scrape time, not kept in memory.
  let depthSource: (() => Promise<Record<string, number>>) | undefined;
  const readDepth = async () =>
    depthSource ? await depthSource().catch(() => undefined) : undefined;
  new Gauge({
    name: 'idgraph_queue_jobs',
    help: 'Ingest jobs by state (failed = dead letters)',
    labelNames: ['state'] as const,
    registers: [registry],
    async collect() {
      const counts = await readDepth();
      for (const [state, n] of Object.entries(counts ?? {})) this.set({ state }, n);
    },
  });
  new Gauge({
    name: 'idgraph_dead_letters',
    help: 'Batches in the dead-letter queue',
    registers: [registry],
    async collect() {
      const counts = await readDepth();
      if (counts) this.set(counts.failed ?? 0);
    },
  });

  const feed = changeFeedMetrics(registry);

  return {
    registry,
    httpDuration,
    ...feed,
    /** For the graph client (GraphOptions.timings). */
    graphTimings: {
      statement: (statement: string, seconds: number) =>
        statementDuration.observe({ statement }, seconds),
      commit: (transaction: string, seconds: number) =>
        commitDuration.observe({ transaction }, seconds),
    },
    /** Records one resolved batch. */
    observeBatch(
      result: {
        applied: number;
        duplicates: number;
        rejectedEvents: number;
        merges: number;
        refusals: number;
        matching?: MatchingOutcome;
        attributeWarnings?: Readonly<Record<string, number>>;
      },
      seconds: number,
    ) {
      const outcome = result.matching;
      if (outcome) {
        for (const stage of MATCHING_STAGES) matching.inc({ stage }, outcome[stage]);
        for (const [rule, counts] of Object.entries(outcome.byRule))
          for (const kind of ['skippedBlocks', 'cappedRecords', 'cutCandidates'] as const)
            byRule[kind].inc({ rule }, counts[kind]);
      }
      for (const [attribute, n] of Object.entries(result.attributeWarnings ?? {}))
        attributeWarnings.inc({ attribute }, n);
      batchDuration.observe(seconds);
      events.inc({ outcome: 'applied' }, result.applied);
      events.inc({ outcome: 'duplicate' }, result.duplicates);
      events.inc({ outcome: 'rejected' }, result.rejectedEvents);
      merges.inc(result.merges);
      refusals.inc(result.refusals);
    },
    trackQueue(depth: () => Promise<Record<string, number>>) {
      depthSource = depth;
    },
  };
}

/** The change feed's relay and webhook deliveries (worker processes). */
function changeFeedMetrics(registry: Registry) {
  const registers = [registry];
  const feedLag = new Histogram({
    name: 'idgraph_change_feed_lag_seconds',
    help: 'Time from a change batch being written (its transaction) to the relay numbering it into the change feed, per batch',
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
    registers,
  });
  const feedEntries = new Counter({
    name: 'idgraph_change_feed_entries_total',
    help: 'Entries the relay numbered into the change feed',
    registers,
  });
  // Endpoint names come from WEBHOOKS: a fixed set, never URLs.
  const endpoint = ['endpoint'] as const;
  const webhookDeliveries = new Counter({
    name: 'idgraph_webhook_deliveries_total',
    help: 'Webhook delivery attempts by endpoint and outcome: delivered (2xx), retried (failed, attempts remain), failed (dead-lettered)',
    labelNames: [...endpoint, 'outcome'] as const,
    registers,
  });
  const webhookDuration = new Histogram({
    name: 'idgraph_webhook_delivery_duration_seconds',
    help: 'Time of one webhook delivery attempt, by endpoint',
    labelNames: endpoint,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10, 30],
    registers,
  });
  let webhookCounts: (() => Promise<Record<string, number>>) | undefined;
  new Gauge({
    name: 'idgraph_webhook_jobs',
    help: 'Webhook deliveries by state (failed = dead-lettered)',
    labelNames: ['state'] as const,
    registers,
    async collect() {
      const counts = webhookCounts ? await webhookCounts().catch(() => undefined) : undefined;
      for (const [state, n] of Object.entries(counts ?? {})) this.set({ state }, n);
    },
  });
  return {
    /** For the change feed's relay: each batch it numbered. */
    observeRelayed(batch: { entries: number; waitedSeconds: number }) {
      feedLag.observe(batch.waitedSeconds);
      feedEntries.inc(batch.entries);
    },
    /** For the webhook worker: each delivery attempt. */
    observeDelivery(endpointName: string, outcome: string, seconds: number) {
      webhookDeliveries.inc({ endpoint: endpointName, outcome });
      webhookDuration.observe({ endpoint: endpointName }, seconds);
    },
    trackWebhooks(counts: () => Promise<Record<string, number>>) {
      webhookCounts = counts;
    },
  };
}
