import { clearDisposableGraph } from '../services/disposable-graph.js';
import { SETUPS, trainSetup } from '../peers/peer-setups.js';
import type { Dataset } from '../datasets/peer-datasets.js';
import { toEventWorkload } from '../workloads/event-workload.js';
import { syntheticPopulation, syntheticRecords } from '../workloads/febrl-population.js';
import { ingest } from './accuracy-ingest.js';
import { type AccuracyDeps, type Service, startService, stopService } from './accuracy-service.js';
import { modelTermFrequencies, writeModelFile } from './model-file-json.js';
import { readService } from './service-readout.js';

/**
 * Warm-up rounds, each ending in a clear. The deletes of a clear (index leaf underflow, delete
 * paths) make the JVM deoptimise code that ingest had warmed, and the next ingest pays for
 * recompiling it. With a clear inside the warm-up, every timed run follows the same sequence
 * (ingest, clear, ingest), so the first pays no more than the later ones.
 */
const WARM_UP_ROUNDS = 2;

/** Synthetic records a data set's fresh service ingests before its timed run ({@link warmService}). */
const SERVICE_WARM_UP = 3000;

/**
 * Untimed: ingests `size` synthetic records (FEBRL3's setup and blocking rules) through a service
 * of its own, in {@link WARM_UP_ROUNDS} rounds, each read back as the timed runs are and followed by
 * a clear of the graph. A fresh Neo4j compiles its query plans and JIT-compiles its code during its
 * first thousands of records; without a warm-up the first data set would pay for it. A running
 * service is warm. Returns the seconds it took.
 */
export async function warmUp(deps: AccuracyDeps, size: number): Promise<number> {
  const { graph, modelDir, settings } = deps;
  const started = performance.now();
  const { raw: sources, attributeKinds } = deps.febrlSources();
  const population = syntheticPopulation(sources, settings.speedSeed + 1000);
  const setup = SETUPS.febrl3;
  const rounds = Array.from({ length: WARM_UP_ROUNDS }, (_, round) => {
    const share = Math.ceil(size / WARM_UP_ROUNDS);
    const { raw, truth } = syntheticRecords(population, share, `warmup${round}`);
    return toEventWorkload({ name: 'warmup', mode: 'dedupe', raw, attributeKinds, truth });
  });
  const first = rounds[0]!;
  const { model } = trainSetup({ name: 'warmup', mode: 'dedupe', records: first.records }, setup, {
    uMaxPairs: 100_000,
  });
  const modelFile = writeModelFile(
    modelDir,
    'warmup',
    model,
    setup.blockingRules,
    first,
    modelTermFrequencies(first.records, model, settings.tfMinCount),
    { dataset: 'warm-up' },
  );
  for (const workload of rounds) {
    await clearDisposableGraph(graph);
    const service = await startService(deps, modelFile, 'warmup');
    try {
      await ingest(deps, service, workload.events, 'warm-up (not counted)', { quiet: true });
      await readService(settings, service, workload);
    } finally {
      await stopService(service);
    }
  }
  await clearDisposableGraph(graph);
  return (performance.now() - started) / 1000;
}

/**
 * Untimed: a data set's service processes, started fresh for its model file, ingest and read back
 * {@link SERVICE_WARM_UP} synthetic records, and the graph is cleared again before the timed run. A
 * running service is warm; a Node process that has just started runs its code unoptimised for its
 * first thousands of calls, and the timed run would pay for that. In `link` mode the records
 * alternate between two sources, so that they are scored.
 */
export async function warmService(
  deps: AccuracyDeps,
  service: Service,
  name: string,
  mode: Dataset['mode'],
): Promise<void> {
  const { raw: sources, attributeKinds } = deps.febrlSources();
  const population = syntheticPopulation(sources, deps.settings.speedSeed + 2000);
  const { raw, truth } = syntheticRecords(population, SERVICE_WARM_UP, `${name}-warm`);
  const workload = toEventWorkload({
    name: `${name}-warm`,
    mode,
    raw:
      mode === 'link'
        ? raw.map((record, i) => ({ ...record, source: i % 2 === 0 ? 'warm-a' : 'warm-b' }))
        : raw,
    attributeKinds,
    truth,
  });
  await ingest(deps, service, workload.events, `${name}: service warm-up (not counted)`, {
    quiet: true,
  });
  await readService(deps.settings, service, workload);
  await clearDisposableGraph(deps.graph);
}
