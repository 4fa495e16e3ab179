import { explanationSchema } from '../../src/api/explain-schemas.js';
import { benchLog } from '../harness/bench-log.js';
import type { BenchGraph } from '../services/bench-cypher.js';
import { benchAuthHeader } from '../services/bench-env.js';
import { FROM_KEY, TO_KEY } from './explain-workload.js';

/**
 * The timed part: POST /v1/explain for a and b (6 links apart), one request at a time, interleaved
 * with the raw shortestPath read of the same pair (bench/read/explain-raw-path) from this process,
 * so drift in the machine's load falls on both alike. Every answer is checked: a 6-link path.
 */

export interface Latencies {
  /** Milliseconds, in request order. */
  api: number[];
  raw: number[];
}

const [fromType, fromValue] = FROM_KEY.split(':') as [string, string];
const [toType, toValue] = TO_KEY.split(':') as [string, string];
const body = JSON.stringify({
  a: { type: fromType, value: fromValue },
  b: { type: toType, value: toValue },
});

async function explainOnce(apiUrl: string): Promise<number> {
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

async function rawOnce(graph: BenchGraph): Promise<number> {
  const started = performance.now();
  const [row] = await graph.query<{ linkIds: string[] }>('bench/read/explain-raw-path', {
    fromKey: FROM_KEY,
    toKey: TO_KEY,
  });
  const ms = performance.now() - started;
  if (row?.linkIds.length !== 6) throw new Error('the raw read did not find a 6-link path');
  return ms;
}

export async function explainRequests(
  apiUrl: string,
  graph: BenchGraph,
  count: number,
  label: string,
): Promise<Latencies> {
  const latencies: Latencies = { api: [], raw: [] };
  for (let i = 0; i < count; i++) {
    latencies.api.push(await explainOnce(apiUrl));
    latencies.raw.push(await rawOnce(graph));
    if ((i + 1) % Math.max(1, Math.floor(count / 5)) === 0)
      benchLog(`${label}: ${i + 1} / ${count} requests each way`);
  }
  return latencies;
}

/** The value below which `share` of the values lie (nearest rank). */
export function percentile(values: readonly number[], share: number): number {
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(share * sorted.length) - 1))]!;
}
