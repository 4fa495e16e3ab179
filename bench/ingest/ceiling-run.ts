import type { BenchGraph } from '../services/bench-cypher.js';
import { benchLog } from '../harness/bench-log.js';
import { cpuSnapshot } from '../host/process-cpu.js';
import { startReadings } from '../host/run-readings.js';
import type { BenchServices } from '../services/bench-services.js';
import { clearDisposableGraph } from '../services/disposable-graph.js';
import type { CeilingRows, IngestWorkload } from '../workloads/ingest-stream.js';
import { describeRun, type RunResult, runResult } from './ingest-run-result.js';
import type { IngestSettings } from './ingest-settings.js';

export interface CeilingDeps {
  services: BenchServices;
  graph: BenchGraph;
  settings: Pick<IngestSettings, 'waitIdle' | 'ceilingConcurrency'>;
}

/**
 * The raw write ceiling on a cleared graph: the same identifiers, batch by batch, straight into
 * Neo4j with `bench/write/raw-merge` (one transaction per batch, --ceiling-concurrency at once),
 * with the batch's distinct identifier pairs MERGEd as LINKED relationships too when `withPairs`.
 * No HTTP, queue, event log, persons, locks or resolution.
 */
export async function ceilingRun(
  deps: CeilingDeps,
  load: IngestWorkload,
  rows: CeilingRows,
  withPairs: boolean,
  label: string,
): Promise<RunResult> {
  const { services, graph } = deps;
  await clearDisposableGraph(graph);
  const now = Date.now();
  let next = 0;
  let txRetries = 0;
  const cpu = () => cpuSnapshot({ neo4j: [services.pids.neo4j], redis: [services.pids.redis] });
  const readings = await startReadings(cpu, { minIdle: deps.settings.waitIdle });
  const started = performance.now();
  await Promise.all(
    Array.from({ length: deps.settings.ceilingConcurrency }, async () => {
      while (next < rows.length) {
        const batch = rows[next++]!;
        let attempts = 0;
        await graph.writeTransaction('bench-raw-merge', (tx) => {
          attempts += 1;
          return tx.run('bench/write/raw-merge', {
            identifiers: batch.identifiers,
            pairs: withPairs ? batch.pairs : [],
            now,
          });
        });
        txRetries += attempts - 1;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const result = runResult(readings, seconds, load.events, txRetries);
  benchLog(`${label}: ${describeRun(result, load.events)}`);
  const [totals] = await graph.query<{ identifiers: number }>('read/graph-totals');
  if (totals?.identifiers !== load.expected.identifiers)
    throw new Error(
      `${label}: ${totals?.identifiers} identifiers, expected ${load.expected.identifiers}`,
    );
  return result;
}
