import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Graph } from '../../src/graph/graph-client.js';
import type { RescoreReport } from '../../src/resolver/rescoring/rescore.js';
import { DEFAULT_BLOCKING_RULES, DEFAULT_MODEL } from '../../src/matching/model/default-model.js';
import { serializeModelFile } from '../../src/matching/model/model-file.js';
import { ingest, type IngestResult } from '../accuracy/accuracy-ingest.js';
import { startService, stopService } from '../accuracy/accuracy-service.js';
import { benchLog } from '../harness/bench-log.js';
import { type CpuSnapshot, cpuSnapshot } from '../host/process-cpu.js';
import { type RunReadings, startReadings } from '../host/run-readings.js';
import { fmt } from '../report/result-tables.js';
import { benchEnv } from '../services/bench-env.js';
import type { BenchServices } from '../services/bench-services.js';
import { clearDisposableGraph } from '../services/disposable-graph.js';
import type { ProcessGroup } from '../services/process-group.js';
import { toEventWorkload } from '../workloads/event-workload.js';
import {
  type FebrlSources,
  syntheticPopulation,
  syntheticRecords,
} from '../workloads/febrl-population.js';
import { runIdgraph } from './cli-process.js';
import type { RescoreSettings } from './rescore-settings.js';

/** What the rescore benchmark's steps share. */
export interface RescoreBenchDeps {
  services: BenchServices;
  graph: Graph;
  processes: ProcessGroup;
  /** Where the model files go. */
  modelDir: string;
  settings: RescoreSettings;
  sources: FebrlSources;
}

/** What `idgraph model rescore` printed, as counts (its summary lines). */
export type RescoreSummary = Pick<
  RescoreReport,
  | 'linksChecked'
  | 'linksKept'
  | 'linksWithdrawn'
  | 'personsSplit'
  | 'recordsScored'
  | 'pairsScored'
  | 'pairsLinked'
  | 'reviewsQueued'
  | 'merges'
  | 'refusals'
>;

/** A timed `idgraph model rescore`: wall time of the whole command, CPU per process, the machine. */
export interface RescoreRun extends RunReadings {
  seconds: number;
  recordsPerSecond: number;
  cpu: CpuSnapshot;
  steal: number | undefined;
  summary: RescoreSummary;
}

/** One cycle: ingest, train, rescore, on a graph cleared first. */
export interface CycleResult {
  records: number;
  ingest: IngestResult;
  trainSeconds: number;
  rescore: RescoreRun;
  /** Rescore records/s over ingest records/s. */
  ratio: number;
}

/**
 * The built-in model and blocking rules as a model file, with the FEBRL attribute kinds: what the
 * service runs without MATCH_MODEL_FILE, and what `idgraph model train` starts from.
 */
export function writeDefaultModelFile(deps: Pick<RescoreBenchDeps, 'modelDir' | 'sources'>) {
  const path = join(deps.modelDir, 'default.model.json');
  writeFileSync(
    path,
    serializeModelFile({
      model: DEFAULT_MODEL,
      blockingRules: DEFAULT_BLOCKING_RULES,
      attributeKinds: deps.sources.attributeKinds,
    }),
  );
  return path;
}

/**
 * Ingests `size` synthetic records through the service (API and worker processes, the default
 * model) into a cleared graph, trains a model on them with `idgraph model train`, and rescores
 * the graph with it with `idgraph model rescore`, each a process of its own as a user runs them.
 * Ingest and rescore are timed (a `quiet` cycle, the warm-up, neither waits for an idle machine
 * nor probes the host); training is timed but is no part of the ratio.
 */
export async function ingestTrainRescore(
  deps: RescoreBenchDeps,
  run: { seed: number; size: number; label: string; quiet?: boolean },
): Promise<CycleResult> {
  const { settings, services } = deps;
  const defaultModel = writeDefaultModelFile(deps);
  const trainedModel = join(deps.modelDir, `${run.label}.model.json`);
  const env = (modelFile: string) =>
    benchEnv(services, {
      MATCH_MODEL_FILE: modelFile,
      MATCH_AUTO_THRESHOLD: String(settings.threshold),
      MATCH_REVIEW_THRESHOLD: String(settings.reviewThreshold),
      MATCH_MAX_CANDIDATES: String(settings.maxCandidates),
    });
  const population = syntheticPopulation(deps.sources.raw, run.seed);
  const { raw, truth } = syntheticRecords(population, run.size, run.label);
  const workload = toEventWorkload({
    name: 'synthetic',
    mode: 'dedupe',
    raw,
    attributeKinds: deps.sources.attributeKinds,
    truth,
  });

  await clearDisposableGraph(deps.graph);
  const service = await startService(deps, defaultModel, run.label);
  let ingested: IngestResult;
  try {
    ingested = await ingest(deps, service, workload.events, `${run.label}: ingest`, {
      quiet: run.quiet,
    });
  } finally {
    await stopService(service);
  }

  const trained = await runIdgraph(
    deps.processes,
    [
      'model',
      'train',
      '--out',
      trainedModel,
      '--model-version',
      `bench-${run.label}`,
      '--u-pairs',
      String(settings.uPairs),
    ],
    env(defaultModel),
    `${run.label}: train`,
  );
  benchLog(`${run.label}: trained in ${trained.seconds.toFixed(1)} s`);

  const readings = await startReadings(
    () => cpuSnapshot({ neo4j: [services.pids.neo4j], redis: [services.pids.redis] }),
    { minIdle: settings.waitIdle, quiet: run.quiet },
  );
  const rescored = await runIdgraph(
    deps.processes,
    ['model', 'rescore', ...settings.rescoreArgs],
    env(trainedModel),
    `${run.label}: rescore`,
    settings.rescoreProfDir && !run.quiet
      ? ['--cpu-prof', '--cpu-prof-dir', settings.rescoreProfDir]
      : [],
  );
  const { cpu, steal } = readings.end();
  const summary = parseRescoreSummary(rescored.stdout);
  if (summary.recordsScored < run.size)
    throw new Error(`${run.label}: rescore scored ${summary.recordsScored} of ${run.size} records`);
  const rescore: RescoreRun = {
    seconds: rescored.seconds,
    recordsPerSecond: run.size / rescored.seconds,
    cpu: { ...cpu, cli: rescored.cpuSeconds },
    steal,
    idleBefore: readings.idleBefore,
    hostBefore: readings.hostBefore,
    loadBefore: readings.loadBefore,
    summary,
  };
  benchLog(
    `${run.label}: rescore of ${fmt(run.size)} records in ${rescore.seconds.toFixed(2)} s = ${fmt(rescore.recordsPerSecond)} records/s ` +
      `(ingest ${fmt(ingested.recordsPerSecond)} records/s; ratio ${(rescore.recordsPerSecond / ingested.recordsPerSecond).toFixed(2)})`,
  );
  return {
    records: run.size,
    ingest: ingested,
    trainSeconds: trained.seconds,
    rescore,
    ratio: rescore.recordsPerSecond / ingested.recordsPerSecond,
  };
}

const count = (text: string) => Number(text.replace(/,/g, ''));

/** The counts of `idgraph model rescore`'s summary (its text lines, the same in every version). */
export function parseRescoreSummary(stdout: string): RescoreSummary {
  const links =
    /links of older versions: ([\d,]+) checked, ([\d,]+) kept, ([\d,]+) withdrawn \(([\d,]+) persons split\)/.exec(
      stdout,
    );
  const records =
    /records: ([\d,]+) scored, ([\d,]+) pairs, ([\d,]+) linked, ([\d,]+) sent to review/.exec(
      stdout,
    );
  const persons = /persons merged: ([\d,]+), joins refused: ([\d,]+)/.exec(stdout);
  if (!links || !records || !persons)
    throw new Error(`unexpected output of idgraph model rescore:\n${stdout}`);
  return {
    linksChecked: count(links[1]!),
    linksKept: count(links[2]!),
    linksWithdrawn: count(links[3]!),
    personsSplit: count(links[4]!),
    recordsScored: count(records[1]!),
    pairsScored: count(records[2]!),
    pairsLinked: count(records[3]!),
    reviewsQueued: count(records[4]!),
    merges: count(persons[1]!),
    refusals: count(persons[2]!),
  };
}
