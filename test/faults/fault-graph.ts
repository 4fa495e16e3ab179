import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { eventKey, type IdentityEvent } from '../../src/events/event-schema.js';
import {
  cypherStatements,
  joinStatements,
  serviceStatements,
} from '../../src/graph/cypher-loader.js';
import { createGraph, type Graph } from '../../src/graph/graph-client.js';
import { applyMigrations } from '../../src/graph/migrations.js';
import { createLogger } from '../../src/logger.js';
import { canonicalPartition } from '../support/identity-generator.js';
import { timedRequest } from './fault-load.js';

/**
 * What the fault suite reads of the graph and the queue: the graph prepared and cleared between
 * runs, snapshots to compare (the partition as canonical groups, the totals, each event's
 * provenance), jobs waited for, and the API's readiness.
 */

const supportDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'support');
const faultCypherNames = ['cypher/read/event-provenance'] as const;

type FaultGraph = Graph<Parameters<Graph['query']>[0] | (typeof faultCypherNames)[number]>;

async function withGraph<T>(uri: string, work: (graph: FaultGraph) => Promise<T>): Promise<T> {
  const graph: FaultGraph = createGraph({
    uri,
    logger: createLogger('warn'),
    statements: joinStatements(serviceStatements(), cypherStatements(supportDir, faultCypherNames)),
  });
  try {
    return await work(graph);
  } finally {
    await graph.close();
  }
}

/** Migrations applied and the (new, empty) graph marked as a test instance, so it may be cleared. */
export async function prepareGraph(uri: string): Promise<void> {
  await withGraph(uri, async (graph) => {
    await applyMigrations(graph, createLogger('warn'));
    await graph.query('write/mark-test-instance');
  });
}

export async function clearGraph(uri: string): Promise<void> {
  await withGraph(uri, async (graph) => {
    const [state] = await graph.query<{ marked: boolean }>('read/graph-is-test-instance');
    if (!state?.marked) throw new Error('not a test instance: refusing to clear the graph');
    await graph.autoCommit('write/clear-test-graph');
  });
}

export interface GraphSnapshot {
  /** identifier key -> person id */
  personOf: Map<string, string>;
  /** The partition without ids: sorted groups of sorted identifier keys. */
  groups: string[];
  totals: Record<string, number>;
  /** event key -> identifiers it is recorded as mentioning */
  provenance: Map<string, number>;
}

export async function snapshotGraph(uri: string): Promise<GraphSnapshot> {
  return withGraph(uri, async (graph) => {
    const partition = await graph.query<{ key: string; personId: string }>(
      'read/identifier-partition',
    );
    const [totals] = await graph.query<Record<string, number>>('read/graph-totals');
    const events = await graph.query<{ key: string; mentions: number }>(
      'cypher/read/event-provenance',
    );
    const personOf = new Map(partition.map((r) => [r.key, r.personId]));
    return {
      personOf,
      groups: canonicalPartition(personOf),
      totals: totals!,
      provenance: new Map(events.map((e) => [e.key, Number(e.mentions)])),
    };
  });
}

/** The provenance a stream must leave: each event once, mentioning each of its identifiers once. */
export function expectedProvenance(events: readonly IdentityEvent[]): Map<string, number> {
  return new Map(events.map((e) => [eventKey(e), e.identifiers.length]));
}

/** Keys whose count differs between two provenance maps (missing on one side counts as 0). */
export function provenanceDifferences(a: Map<string, number>, b: Map<string, number>): string[] {
  const keys = new Set([...a.keys(), ...b.keys()]);
  return [...keys].filter((k) => (a.get(k) ?? 0) !== (b.get(k) ?? 0));
}

/** Groups in one partition and not the other (0 when the partitions are equal). */
export function partitionDifferences(a: readonly string[], b: readonly string[]): number {
  const inB = new Set(b);
  const inA = new Set(a);
  return a.filter((g) => !inB.has(g)).length + b.filter((g) => !inA.has(g)).length;
}

export interface JobState {
  jobId: string;
  state: string;
  applied: number;
  duplicates: number;
}

/**
 * Waits until every job has completed or failed, asking the API as a client would (a 503 while a
 * service is down is waited out). Returns each job's final state.
 */
export async function waitForJobs(
  baseUrl: string,
  jobIds: readonly string[],
  timeoutMs: number,
): Promise<JobState[]> {
  const deadline = Date.now() + timeoutMs;
  const states: JobState[] = [];
  for (const jobId of jobIds) {
    for (;;) {
      const r = await timedRequest(baseUrl, 'job', 'GET', `/v1/jobs/${jobId}`);
      const body = r.body as {
        state?: string;
        counts?: { applied: number; duplicates: number };
      } | null;
      if (r.status === 200 && (body?.state === 'completed' || body?.state === 'failed')) {
        states.push({
          jobId,
          state: body.state,
          applied: body.counts?.applied ?? 0,
          duplicates: body.counts?.duplicates ?? 0,
        });
        break;
      }
      if (Date.now() > deadline)
        throw new Error(`job ${jobId} not finished after ${timeoutMs / 1000} s (${r.status})`);
      await sleep(100);
    }
  }
  return states;
}

/** Polls `/readyz` until it answers 200; resolves with the time it did. */
export async function waitUntilReady(baseUrl: string, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const r = await timedRequest(baseUrl, 'readyz', 'GET', '/readyz');
    if (r.status === 200) return r.start + r.ms;
    if (Date.now() > deadline)
      throw new Error(`/readyz not 200 within ${timeoutMs / 1000} s: ${JSON.stringify(r.body)}`);
    await sleep(200);
  }
}

/** The dead-letter queue's size, as `GET /v1/dead-letters` reports it. */
export async function deadLetters(baseUrl: string): Promise<number> {
  const r = await timedRequest(baseUrl, 'job', 'GET', '/v1/dead-letters?limit=500');
  const total = (r.body as { total?: unknown } | null)?.total;
  if (r.status !== 200 || typeof total !== 'number')
    throw new Error(`GET /v1/dead-letters answered ${r.status}`);
  return total;
}
