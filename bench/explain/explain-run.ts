import { explanationSchema } from '../../src/api/explain-schemas.js';
import { benchLog } from '../harness/bench-log.js';
import type { BenchGraph } from '../services/bench-cypher.js';
import { benchAuthHeader } from '../services/bench-env.js';
import type { ExplainPair } from './explain-workload.js';

/**
 * The timed part: POST /v1/explain for each pair (6 links apart), one request at a time, each
 * followed by the raw shortestPath read of the same pair (bench/read/explain-raw-path) from this
 * process, the pairs taking turns, so drift in the machine's load falls on every side alike. Every
 * answer is checked: a 6-link path.
 */

export interface Latencies {
  /** Milliseconds, in request order. */
  api: number[];
  raw: number[];
}

const identifierOf = (key: string) => {
  const at = key.indexOf(':');
  return { type: key.slice(0, at), value: key.slice(at + 1) };
};

async function explainOnce(apiUrl: string, body: string): Promise<number> {
  const started = performance.now();
  const response = await fetch(`${apiUrl}/v1/explain`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...benchAuthHeader },
    body,
  });
  const text = await response.text();
  const ms = performance.now() - started;
  if (response.status !== 200)
    throw new Error(`POST /v1/explain answered ${response.status}: ${text}`);
  const answer = explanationSchema.parse(JSON.parse(text));
  if (!answer.samePerson || answer.path?.length !== 6)
    throw new Error('POST /v1/explain did not answer a 6-link path');
  return ms;
}

async function rawOnce(graph: BenchGraph, pair: ExplainPair): Promise<number> {
  const started = performance.now();
  const [row] = await graph.query<{ linkIds: string[] }>('bench/read/explain-raw-path', {
    fromKey: pair.fromKey,
    toKey: pair.toKey,
  });
  const ms = performance.now() - started;
  if (row?.linkIds.length !== 6) throw new Error('the raw read did not find a 6-link path');
  return ms;
}

/** `count` requests each way for every pair; latencies by pair, in `pairs` order. */
export async function explainRequests(
  apiUrl: string,
  graph: BenchGraph,
  pairs: readonly ExplainPair[],
  count: number,
  label: string,
): Promise<Latencies[]> {
  const bodies = pairs.map((p) =>
    JSON.stringify({ a: identifierOf(p.fromKey), b: identifierOf(p.toKey) }),
  );
  const latencies: Latencies[] = pairs.map(() => ({ api: [], raw: [] }));
  for (let i = 0; i < count; i++) {
    for (const [n, pair] of pairs.entries()) {
      latencies[n]!.api.push(await explainOnce(apiUrl, bodies[n]!));
      latencies[n]!.raw.push(await rawOnce(graph, pair));
    }
    if ((i + 1) % Math.max(1, Math.floor(count / 5)) === 0)
      benchLog(`${label}: ${i + 1} / ${count} requests each way per pair`);
  }
  return latencies;
}

/** The value below which `share` of the values lie (nearest rank). */
export function percentile(values: readonly number[], share: number): number {
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(share * sorted.length) - 1))]!;
}
