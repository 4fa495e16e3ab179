import { DEFAULT_BLOCKING_RULES } from '../../src/matching/model/default-model.js';
import { ingest, type IngestResult } from '../accuracy/accuracy-ingest.js';
import { type AccuracyDeps, startService, stopService } from '../accuracy/accuracy-service.js';
import { modelTermFrequencies, writeModelFile } from '../accuracy/model-file-json.js';
import { clusterMetrics, type PairwiseMetrics, type TruthRecord } from '../datasets/evaluate.js';
import { benchLog } from '../harness/bench-log.js';
import { SETUPS, trainSetupInParallel } from '../peers/peer-setups.js';
import { fmt, median } from '../report/result-tables.js';
import { clearDisposableGraph } from '../services/disposable-graph.js';
import { resolvePersons } from '../services/service-api.js';
import { IDENTIFIER_TYPE, recordIdOf, toEventWorkload } from '../workloads/event-workload.js';
import {
  type SyntheticPerson,
  syntheticPopulation,
  syntheticRecords,
} from '../workloads/febrl-population.js';

/** The incremental speed runs: the preload, each timed run, and the accuracy over all records. */
export interface SpeedResult {
  population: number;
  blocking: string;
  modelLambda: number;
  trainSeconds: number;
  preload: IngestResult;
  runs: (IngestResult & { graphRecordsBefore: number })[];
  medianRecordsPerSecond: number;
  /** Persons metrics over every record ingested (preload and runs), against the synthetic truth. */
  personsMetrics: PairwiseMetrics;
  lookupSeconds: number;
}

/**
 * The incremental speed runs: a synthetic FEBRL-like population of --speed-records records is
 * ingested first (with a model trained on it with FEBRL3's setup), then --speed-runs batches of
 * --speed-batch further records (half duplicates of persons already in the graph, half new
 * persons) are timed one after another through the same service. At the end every record is
 * resolved to its person and the persons are scored against the synthetic truth.
 */
export async function runSpeed(deps: AccuracyDeps): Promise<SpeedResult> {
  const { graph, modelDir, settings } = deps;
  const { speedSeed, speedRecords, speedBatch, speedRuns, uMaxPairs } = settings;
  const { raw: sources, attributeKinds } = deps.febrlSources();
  const population = syntheticPopulation(sources, speedSeed);
  const base = syntheticRecords(population, speedRecords, 'base');
  const blocking = settings.speedBlocking;
  const setup = SETUPS.febrl3;
  const baseWorkload = toEventWorkload(
    { name: 'synthetic', mode: 'dedupe', raw: base.raw, attributeKinds, truth: base.truth },
    { firstSecond: 0 },
  );
  const trained = await trainSetupInParallel(
    { name: 'synthetic', mode: 'dedupe', records: baseWorkload.records },
    setup,
    { uMaxPairs },
  );
  benchLog(
    `speed: ${fmt(base.raw.length)} synthetic records of ${fmt(base.persons.length)} persons; trained in ${trained.seconds.toFixed(2)} s`,
  );
  const blockingRules = blocking === 'default' ? [...DEFAULT_BLOCKING_RULES] : setup.blockingRules;
  const modelFile = writeModelFile(
    modelDir,
    'synthetic',
    trained.model,
    blockingRules,
    baseWorkload,
    modelTermFrequencies(baseWorkload.records, trained.model, settings.tfMinCount),
    {
      dataset: `synthetic (seed ${speedSeed}, ${speedRecords} records)`,
      setup: 'febrl3',
      blocking,
    },
  );
  await clearDisposableGraph(graph);
  const service = await startService(deps, modelFile, 'speed');
  try {
    const preload = await ingest(deps, service, baseWorkload.events, 'speed preload');
    const persons: SyntheticPerson[] = [...base.persons];
    const truth: TruthRecord[] = [...base.truth];
    const identifiers = baseWorkload.events.map((e) => e.identifiers[0]!.value);
    const runs: SpeedResult['runs'] = [];
    let second = baseWorkload.events.length;
    for (let run = 1; run <= speedRuns; run++) {
      const batch = syntheticRecords(population, speedBatch, `run${run}`, persons, 0.5);
      const workload = toEventWorkload(
        { name: 'synthetic', mode: 'dedupe', raw: batch.raw, attributeKinds, truth: batch.truth },
        { firstSecond: second },
      );
      second += workload.events.length;
      const graphRecordsBefore = truth.length;
      const result = await ingest(deps, service, workload.events, `speed run ${run}/${speedRuns}`);
      runs.push({ ...result, graphRecordsBefore });
      persons.push(...batch.persons);
      truth.push(...batch.truth);
      identifiers.push(...workload.events.map((e) => e.identifiers[0]!.value));
    }
    const started = performance.now();
    const personIds = await resolvePersons(
      service.apiUrl,
      identifiers.map((value) => ({ type: IDENTIFIER_TYPE, value })),
    );
    const personOf = new Map<string, string>();
    personIds.forEach((p, i) => {
      if (p === null) throw new Error(`speed: record ${identifiers[i]} does not resolve`);
      personOf.set(recordIdOf('synthetic', identifiers[i]!), p);
    });
    const lookupSeconds = (performance.now() - started) / 1000;
    const personsMetrics = clusterMetrics(personOf, truth, 'dedupe');
    benchLog(
      `speed: persons over all ${fmt(truth.length)} records P ${personsMetrics.precision.toFixed(4)} R ${personsMetrics.recall.toFixed(4)} F1 ${personsMetrics.f1.toFixed(4)}`,
    );
    return {
      population: base.raw.length,
      blocking,
      modelLambda: trained.model.lambda,
      trainSeconds: trained.seconds,
      preload,
      runs,
      medianRecordsPerSecond: median(runs.map((r) => r.recordsPerSecond)),
      personsMetrics,
      lookupSeconds,
    };
  } finally {
    await stopService(service);
  }
}
