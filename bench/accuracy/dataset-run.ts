import { DEFAULT_HOUSEHOLD_ATTRIBUTES } from '../../src/matching/scoring/identity-evidence.js';
import { cpuDelta } from '../host/process-cpu.js';
import { benchLog } from '../harness/bench-log.js';
import {
  clusterMetrics,
  type EvaluationMode,
  type PairwiseMetrics,
  pairwiseMetrics,
} from '../datasets/evaluate.js';
import type { Dataset } from '../datasets/peer-datasets.js';
import { scoreOffline } from '../peers/offline-scoring.js';
import { SETUPS, trainSetupInParallel } from '../peers/peer-setups.js';
import { fmt } from '../report/result-tables.js';
import { clearDisposableGraph } from '../services/disposable-graph.js';
import { toEventWorkload } from '../workloads/event-workload.js';
import { type IngestResult, ingest } from './accuracy-ingest.js';
import {
  type AccuracyDeps,
  problemsLogged,
  serviceCpu,
  startService,
  stopService,
} from './accuracy-service.js';
import { modelTermFrequencies, writeModelFile } from './model-file-json.js';
import { pairOverlap, readService } from './service-readout.js';
import { warmService } from './warm-ups.js';

/** One data set through the service: accuracy, the offline reference, and the times. */
export interface DatasetResult {
  dataset: Dataset['name'];
  mode: EvaluationMode;
  records: number;
  invalidDates: number;
  modelVersion: string;
  lambda: number;
  termFrequencyValues: number;
  trainSeconds: number;
  serviceStartSeconds: number;
  ingest: IngestResult;
  /** Every record resolved to its person. */
  resolveSeconds: number;
  /** Resolve plus reading every link back (GET /v1/persons/{id}/links), for the evaluation. */
  lookupSeconds: number;
  /** POST /v1/resolve calls plus GET /v1/persons/{id}/links calls. */
  lookupRequests: number;
  /** CPU seconds per process while reading the results. */
  lookupCpu: Record<string, number>;
  totalSeconds: number;
  persons: number;
  links: PairwiseMetrics;
  personsMetrics: PairwiseMetrics;
  linksByMethod: Record<string, number>;
  modelVersions: string[];
  offline: {
    candidates: number;
    candidatesPerRecord: { mean: number; p99: number; max: number; capped: number };
    links: PairwiseMetrics;
    clustered: PairwiseMetrics;
  };
  overlapWithOffline: { both: number; serviceOnly: number; offlineOnly: number };
  problemsLogged: number;
}

/**
 * One data set through the service: trains its model with the peer setup, writes the model file,
 * scores the records offline with the same model as a reference, then on a cleared graph starts a
 * service for the model file, warms it, ingests every record (timed), and reads the persons and
 * links back through the API to score them against the truth.
 */
export async function runDataset(
  deps: AccuracyDeps,
  name: Dataset['name'],
): Promise<DatasetResult> {
  const { services, graph, modelDir, settings } = deps;
  const { threshold, maxCandidates, uMaxPairs } = settings;
  const setup = SETUPS[name];
  const workload = toEventWorkload(setup.load(settings.dataDir));
  benchLog(
    `${name}: ${fmt(workload.events.length)} records (${workload.invalidDates} dates of birth are not calendar dates: sent as they are)`,
  );
  const trained = await trainSetupInParallel(
    { name, mode: workload.mode, records: workload.records },
    setup,
    { uMaxPairs },
  );
  const tfStarted = performance.now();
  const tf = modelTermFrequencies(workload.records, trained.model, settings.tfMinCount);
  const trainSeconds = trained.seconds + (performance.now() - tfStarted) / 1000;
  benchLog(
    `${name}: trained in ${trainSeconds.toFixed(2)} s (lambda ${trained.model.lambda.toExponential(2)}; ${tf ? fmt(tf.values) : 'no'} term-frequency values in the model file)`,
  );
  // The reference scores with exactly the tables the service gets.
  const offline = scoreOffline(
    { mode: workload.mode, records: workload.records, truth: workload.truth },
    setup.blockingRules,
    trained.model,
    {
      threshold,
      cap: maxCandidates,
      termFrequencies: tf?.tables ?? {},
      householdAttributes: DEFAULT_HOUSEHOLD_ATTRIBUTES,
    },
  );
  const modelFile = writeModelFile(
    modelDir,
    name,
    trained.model,
    setup.blockingRules,
    workload,
    tf,
    {
      dataset: name,
      emRules: setup.emRules,
      lambdaRules: setup.lambdaRules,
      recall: setup.recall,
      seed: setup.seed,
      uMaxPairs,
      report: trained.report,
    },
  );

  await clearDisposableGraph(graph);
  const service = await startService(deps, modelFile, name);
  try {
    await warmService(deps, service, name, workload.mode);
    const ingested = await ingest(deps, service, workload.events, name);
    const lookupCpuBefore = serviceCpu(services, service);
    const readout = await readService(settings, service, workload);
    const lookupCpu = cpuDelta(lookupCpuBefore, serviceCpu(services, service));
    const links = pairwiseMetrics(readout.linkPairs, workload.truth, workload.mode);
    const personsMetrics = clusterMetrics(readout.personOf, workload.truth, workload.mode);
    const overlap = pairOverlap(readout.linkPairs, offline.links);
    // End to end as Splink's timing: from the data to the answer (training, every record
    // ingested and resolved to its person). Reading every link back over HTTP is the evaluation's
    // own cost (Splink's pairs are already in memory) and is reported apart.
    const totalSeconds = trainSeconds + ingested.seconds + readout.resolveSeconds;
    benchLog(
      `${name}: links P ${links.precision.toFixed(4)} R ${links.recall.toFixed(4)} F1 ${links.f1.toFixed(4)}; ` +
        `persons F1 ${personsMetrics.f1.toFixed(4)}; offline F1 ${offline.pairwise.f1.toFixed(4)} (clustered ${offline.clustered.f1.toFixed(4)}); ` +
        `link pairs also offline ${overlap.both}, service only ${overlap.serviceOnly}, offline only ${overlap.offlineOnly}; ` +
        `links by method ${JSON.stringify(readout.linksByMethod)}; lookups ${readout.lookupSeconds.toFixed(2)} s ` +
        `(${fmt(readout.persons)} persons, ${fmt(readout.linkRequests)} GET links; CPU s: ${Object.entries(
          lookupCpu,
        )
          .map(([k, v]) => `${k} ${v.toFixed(1)}`)
          .join(', ')})`,
    );
    if (readout.linkPairs.length === 0)
      benchLog(`${name}: WARNING: the service made no probabilistic link at all`);
    return {
      dataset: name,
      mode: workload.mode,
      records: workload.events.length,
      invalidDates: workload.invalidDates,
      modelVersion: trained.model.version,
      lambda: trained.model.lambda,
      termFrequencyValues: tf?.values ?? 0,
      trainSeconds,
      serviceStartSeconds: service.startSeconds,
      ingest: ingested,
      resolveSeconds: readout.resolveSeconds,
      lookupSeconds: readout.lookupSeconds,
      lookupRequests: readout.linkRequests + Math.ceil(workload.events.length / 1000),
      lookupCpu,
      totalSeconds,
      persons: readout.persons,
      links,
      personsMetrics,
      linksByMethod: readout.linksByMethod,
      modelVersions: readout.modelVersions,
      offline: {
        candidates: offline.candidates,
        candidatesPerRecord: offline.candidatesPerRecord,
        links: offline.pairwise,
        clustered: offline.clustered,
      },
      overlapWithOffline: overlap,
      problemsLogged: problemsLogged(service),
    };
  } finally {
    await stopService(service);
  }
}
