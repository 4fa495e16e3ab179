import { readFileSync } from 'node:fs';
import type { Redis } from 'ioredis';
import type { BenchGraph } from '../services/bench-cypher.js';

/** One sample: seconds since the soak started, and each series' value then. */
export interface Sample {
  at: number;
  values: Record<string, number>;
}

/** A process's resident set size in bytes (Linux /proc; undefined when it is gone). */
export function rssBytes(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const kb = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb === undefined ? undefined : Number(kb) * 1024;
  } catch {
    return undefined;
  }
}

export interface SamplerDeps {
  /** Processes whose RSS is sampled, by series name prefix (`api`, `worker 1`, `neo4j`, `redis`). */
  pids: Record<string, number | undefined>;
  redis: Pick<Redis, 'info' | 'dbsize'>;
  graph: Pick<BenchGraph, 'query'>;
  /** More series read at the same moment (queue progress). */
  extra: () => Record<string, number>;
}

/**
 * Takes one sample: every process's RSS, Redis's `used_memory` and key count (`DBSIZE`), and the
 * Neo4j JVM's heap in use (`dbms.queryJmx`). A reading that fails is left out of the sample.
 */
export async function takeSample(deps: SamplerDeps, at: number): Promise<Sample> {
  const values: Record<string, number> = {};
  for (const [name, pid] of Object.entries(deps.pids)) {
    const rss = rssBytes(pid);
    if (rss !== undefined) values[`${name} RSS`] = rss;
  }
  const [info, keys, heap] = await Promise.allSettled([
    deps.redis.info('memory'),
    deps.redis.dbsize(),
    deps.graph.query<{ used: number }>('bench/read/jvm-heap'),
  ]);
  if (info.status === 'fulfilled') {
    const used = /^used_memory:(\d+)/m.exec(info.value)?.[1];
    if (used !== undefined) values['redis used_memory'] = Number(used);
  }
  if (keys.status === 'fulfilled') values['redis keys'] = keys.value;
  if (heap.status === 'fulfilled' && heap.value[0]) values['neo4j heap used'] = heap.value[0].used;
  return { at, values: { ...values, ...deps.extra() } };
}
