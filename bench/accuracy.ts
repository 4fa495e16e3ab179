/**
 * Matching accuracy (FEBRL3, FEBRL4, fake_1000) and speed through the real pipeline, next to Splink.
 *
 * The pipeline is POST /v1/events, queue, resolver, graph, and the API to read the results.
 *
 * Per data set (--only): train the model with bench/peers/offline-eval.ts's setup (same code,
 * rules and seeds as the offline evaluation and Splink's examples), write it as a model file
 * (blocking rules, attribute kinds, mode), start a fresh API process and worker process(es) on a
 * cleared disposable graph with MATCH_MODEL_FILE and MATCH_AUTO_THRESHOLD = MATCH_REVIEW_THRESHOLD
 * = --threshold, send every record as one event (one `external_id` `<dataset>:<record id>`, its
 * attributes) in batches of --batch, wait until every job is completed, check that every event
 * came out applied, then read the persons (POST /v1/resolve) and their links
 * (GET /v1/persons/{id}/links) through the API:
 *   - links:   pairs joined by a probabilistic link with confidence >= --threshold (comparable with
 *              Splink's pairwise figures at p >= 0.5);
 *   - persons: every pair of records inside one person (clustered);
 * with recall over all true pairs; FEBRL4 counts only pairs across its two files (mode link).
 * The same model also scores the same records offline (no graph, every candidate pair at once) as
 * a reference: a gap between the two is the pipeline's doing (incremental order, batching, caps).
 *
 * Timed: training, ingest (first POST to last job completed), lookups (resolve + links), and the
 * end-to-end total of the three; starting the service processes is reported but not counted, and
 * so is warming them: before its timed ingest, a data set's fresh processes ingest and read back
 * synthetic records that are then cleared (warmService). Before the first data set, Neo4j is
 * warmed the same way, twice (warmUp).
 *
 * Splink (unless --no-splink): bench/peers/splink_bench.py on the same files, one Python process
 * per data set and settings, timed around the process; Splink's published F1 at the threshold is
 * read from shared/data/published. The Python is the first with the pins of
 * bench/peers/requirements.txt among --python, IDGRAPH_SPLINK_PYTHON, ~/.cache/idgraph/splink-venv
 * and /tmp/splink-venv, else that first venv is created with pip.
 *
 * --repeats N runs each data set's idgraph run and Splink's published-settings run N - 1 more
 * times, alternating, for the end-to-end timings only (accuracy is from the first run, and every
 * run must find the same links); the medians and their ratio are reported.
 *
 * --speed adds the incremental speed runs: a synthetic FEBRL-like population (see
 * syntheticPopulation in accuracy-support.ts) of --speed-records records is ingested first, then
 * --speed-runs batches of --speed-batch further records (half duplicates of persons already in the
 * graph, half new persons) are timed one after another; the median records/s is reported.
 * --speed-only skips the accuracy runs. --cpu-prof yes has the speed runs' API and worker processes
 * (their preload and timed runs, not the warm-ups) write V8 CPU profiles when they stop.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { loadConfig } from '../src/config.js';
import { emptyMatching, type MatchingOutcome } from '../src/resolver/record-scoring.js';
import { createGraph, type Graph } from '../src/graph/graph-client.js';
import { applyMigrations } from '../src/graph/migrations.js';
import { createLogger } from '../src/logger.js';
import type { BlockingRule } from '../src/matching/records/blocking.js';
import { DEFAULT_BLOCKING_RULES } from '../src/matching/model/default-model.js';
import { REPO_ROOT } from '../scripts/local-services.mjs';
import {
  clusterMetrics,
  type EvaluationMode,
  type PairwiseMetrics,
  pairwiseMetrics,
  type TruthRecord,
} from './datasets/evaluate.js';
import type { FellegiSunterModel } from '../src/matching/scoring/fellegi-sunter.js';
import type { MatchRecord } from '../src/matching/records/normalize-attributes.js';
import {
  type BenchServices,
  benchEnv,
  benchFlags,
  benchLog,
  benchServices,
  claimDisposableGraph,
  clearDisposableGraph,
  describeHost,
  describeMachine,
  describeSteal,
  fmt,
  hostSpeed,
  loadAverage,
  machineCpu,
  machineInfo,
  median,
  positiveInt,
  processCpuSeconds,
  saveResults,
  stealShare,
  table,
  waitForIdle,
} from './bench-support.js';
import {
  type BenchLink,
  deadLetterCount,
  deleteQueueKeys,
  type EventWorkload,
  IDENTIFIER_TYPE,
  type JobOutcome,
  killServiceProcesses,
  modelFileJson,
  personLinks,
  postEvents,
  type PublishedAccuracy,
  publishedAccuracy,
  recordIdOf,
  resolvePersons,
  runSplink,
  type ServiceProcess,
  type SplinkResult,
  splinkPython,
  splinkVersion,
  startServiceProcess,
  stopServiceProcess,
  syntheticPopulation,
  syntheticRecords,
  type SyntheticPerson,
  type TermFrequencyTables,
  termFrequencyTables,
  toEventWorkload,
  waitForJobs,
} from './accuracy-support.js';
import {
  type Dataset,
  DEFAULT_DATA_DIR,
  loadFebrl3,
  loadFebrl4,
  type RawRecord,
} from './peers/datasets.js';
import {
  scoreOffline,
  SETUPS,
  trainSetup,
  trainSetupInParallel,
  U_MAX_PAIRS,
} from './peers/offline-eval.js';

// ------------------------------------------------------------------------------------------------
// Flags

const BOOLEAN_FLAGS = ['--no-splink', '--speed', '--speed-only'] as const;
const argv = process.argv.slice(2);
const booleans = new Set(argv.filter((a) => (BOOLEAN_FLAGS as readonly string[]).includes(a)));
const flags = benchFlags(
  [
    'usage: npm run bench -- accuracy [flags]',
    '',
    '  --no-splink       do not run Splink',
    '  --speed           also run the incremental speed runs (synthetic population)',
    '  --speed-only      only the speed runs',
  ].join('\n'),
  {
    only: { default: 'febrl3,febrl4,fake_1000', help: 'data sets, comma separated' },
    data: { default: DEFAULT_DATA_DIR, help: 'shared data directory (read in place)' },
    threshold: {
      default: '0.5',
      help: 'match probability for a link: MATCH_AUTO_THRESHOLD, and the links metrics cut-off',
    },
    'review-threshold': {
      default: '',
      help: 'MATCH_REVIEW_THRESHOLD (default: equal to --threshold, so no review band)',
    },
    'max-candidates': {
      default: '200',
      help: 'MATCH_MAX_CANDIDATES (the service default); also the offline reference cap',
    },
    'u-pairs': { default: String(U_MAX_PAIRS), help: 'random pairs for u estimation in training' },
    tf: {
      default: 'all',
      help: 'term frequencies in the model file: all (as offline-eval and Splink), none, or a minimum count of records per value',
    },
    workers: { default: '1x2', help: 'worker processes x WORKER_CONCURRENCY each' },
    batch: { default: '1000', help: 'events per POST (= per job)' },
    repeats: {
      default: '1',
      help: "end-to-end timings: each data set's idgraph run and Splink's (published settings) this many times, alternating; medians and their ratio reported",
    },
    'splink-settings': {
      default: 'both',
      help: 'published | matched | both (matched = our settings translated to Splink)',
    },
    python: { default: '', help: 'Python with the pins of bench/peers/requirements.txt' },
    'speed-records': { default: '50000', help: 'speed runs: records in the graph before timing' },
    'speed-batch': { default: '10000', help: 'speed runs: records per timed run' },
    'speed-runs': { default: '3', help: 'speed runs: timed runs (median reported)' },
    'speed-blocking': {
      default: 'default',
      help: "speed runs: default (idgraph's DEFAULT_BLOCKING_RULES) | peer (FEBRL3's Splink example rules)",
    },
    'speed-seed': { default: '7', help: 'speed runs: seed of the synthetic population' },
    'lookup-concurrency': {
      default: '4',
      help: 'GET /v1/persons/{id}/links requests in flight while reading the results',
    },
    warmup: {
      // A running service is warm; Neo4j compiles its plans and JIT-compiles its code over the
      // first ~20,000 records (CPU per record falls about 8x), so the first data set would pay for it.
      default: '20000',
      help: 'untimed warm-up: synthetic records ingested before the first timed run, in two rounds each ending in a clear (0: none)',
    },
    'cpu-prof': {
      default: 'no',
      help: "yes: the speed runs' API and worker processes write V8 CPU profiles to bench/.results/cpu-prof/",
    },
    'wait-idle': {
      default: '0',
      help: 'before each timed ingest, wait (at most 5 min) until the machine is this % idle',
    },
  },
  argv.filter((a) => !booleans.has(a)),
);

const dataDir = flags.data;
const threshold = Number(flags.threshold);
if (!(threshold > 0 && threshold < 1)) throw new Error('--threshold must be in (0, 1)');
const reviewThreshold =
  flags['review-threshold'] === '' ? threshold : Number(flags['review-threshold']);
if (!(reviewThreshold > 0 && reviewThreshold <= threshold))
  throw new Error('--review-threshold must be in (0, --threshold]');
const maxCandidates = positiveInt(flags['max-candidates'], 'max-candidates');
const uMaxPairs = positiveInt(flags['u-pairs'], 'u-pairs');
/** Minimum records per value kept in the model file's term-frequency tables; undefined: no tables. */
const tfMinCount =
  flags.tf === 'all' ? 1 : flags.tf === 'none' ? undefined : positiveInt(flags.tf, 'tf');
const batchSize = positiveInt(flags.batch, 'batch');
const repeats = positiveInt(flags.repeats, 'repeats');
if (batchSize > 1000) throw new Error('--batch must be at most 1000 (the API limit)');
const workersMatch = /^(\d+)x(\d+)$/.exec(flags.workers);
if (!workersMatch) throw new Error('--workers must be PxC, e.g. 1x2');
const workerProcesses = positiveInt(workersMatch[1]!, 'workers');
const workerConcurrency = positiveInt(workersMatch[2]!, 'workers');
const splinkSettings =
  flags['splink-settings'] === 'both'
    ? (['published', 'matched'] as const)
    : flags['splink-settings'] === 'published' || flags['splink-settings'] === 'matched'
      ? ([flags['splink-settings']] as const)
      : undefined;
if (!splinkSettings) throw new Error('--splink-settings must be published, matched or both');
if (flags['cpu-prof'] !== 'yes' && flags['cpu-prof'] !== 'no')
  throw new Error('--cpu-prof must be yes or no');
const speedOnly = booleans.has('--speed-only');
const speed = speedOnly || booleans.has('--speed');
const withSplink = !booleans.has('--no-splink') && !speedOnly;
const names = speedOnly ? [] : flags.only.split(',').map((n) => n.trim());
for (const name of names)
  if (!(name in SETUPS))
    throw new Error(`--only: unknown data set ${name} (known: ${Object.keys(SETUPS).join(', ')})`);
const speedRecords = positiveInt(flags['speed-records'], 'speed-records');
const speedBatch = positiveInt(flags['speed-batch'], 'speed-batch');
const speedRuns = positiveInt(flags['speed-runs'], 'speed-runs');
const speedSeed = positiveInt(flags['speed-seed'], 'speed-seed');
if (!['default', 'peer'].includes(flags['speed-blocking']))
  throw new Error('--speed-blocking must be default or peer');
const lookupConcurrency = positiveInt(flags['lookup-concurrency'], 'lookup-concurrency');
const warmupRecords = flags.warmup === '0' ? 0 : positiveInt(flags.warmup, 'warmup');
const waitIdle = Number(flags['wait-idle']) / 100;
if (!(waitIdle >= 0 && waitIdle <= 1)) throw new Error('--wait-idle must be a percentage');

// ------------------------------------------------------------------------------------------------
// The service under test

const QUEUE_PREFIX = `idgraph-bench-accuracy-${process.pid}`;

interface Service {
  api: ServiceProcess & { url?: string };
  workers: ServiceProcess[];
  apiUrl: string;
  startSeconds: number;
}

/** Node flags for the service processes: V8 CPU profiles of the speed runs' processes only. */
function profileFlags(label: string): string[] {
  if (flags['cpu-prof'] !== 'yes' || label !== 'speed') return [];
  return ['--cpu-prof', '--cpu-prof-dir', join(REPO_ROOT, 'bench', '.results', 'cpu-prof')];
}

async function startService(
  services: BenchServices,
  modelFile: string,
  label: string,
): Promise<Service> {
  const env = benchEnv(services, {
    MATCH_MODEL_FILE: modelFile,
    MATCH_AUTO_THRESHOLD: String(threshold),
    MATCH_REVIEW_THRESHOLD: String(reviewThreshold),
    MATCH_MAX_CANDIDATES: String(maxCandidates),
    QUEUE_PREFIX,
    INGEST_QUEUE: `accuracy-${label}-${randomUUID()}`,
    WORKER_CONCURRENCY: String(workerConcurrency),
    RATE_LIMIT_MAX: '0',
  });
  const started = performance.now();
  const [api, ...workers] = await Promise.all([
    startServiceProcess('api', `${label} api`, env, undefined, profileFlags(label)),
    ...Array.from({ length: workerProcesses }, (_, i) =>
      startServiceProcess(
        'worker',
        `${label} worker ${i + 1}`,
        env,
        undefined,
        profileFlags(label),
      ),
    ),
  ]);
  return {
    api,
    workers,
    apiUrl: api.url!,
    startSeconds: (performance.now() - started) / 1000,
  };
}

async function stopService(service: Service): Promise<void> {
  await Promise.all(service.workers.map(stopServiceProcess));
  await stopServiceProcess(service.api);
}

function cpuSnapshot(services: BenchServices, service: Service): Record<string, number> {
  const snapshot: Record<string, number> = {};
  const add = (key: string, value: number | undefined) => {
    if (value !== undefined) snapshot[key] = (snapshot[key] ?? 0) + value;
  };
  const self = process.cpuUsage();
  add('bench', (self.user + self.system) / 1e6);
  add('neo4j', processCpuSeconds(services.pids.neo4j));
  add('redis', processCpuSeconds(services.pids.redis));
  add('api', processCpuSeconds(service.api.child.pid));
  for (const w of service.workers) add('workers', processCpuSeconds(w.child.pid));
  return snapshot;
}

const cpuDelta = (before: Record<string, number>, after: Record<string, number>) =>
  Object.fromEntries(Object.keys(after).map((k) => [k, after[k]! - (before[k] ?? 0)]));

/** CPU milliseconds per 1000 records, per process. */
const describeCpu = (cpu: Record<string, number>, records: number) =>
  Object.entries(cpu)
    .map(([k, v]) => `${k} ${fmt((1000 * v) / (records / 1000))}`)
    .join(', ');

/** The service's own matching counts, summed over the run's jobs (GET /v1/jobs/{id} `matching`). */
type MatchingCounts = MatchingOutcome;

interface IngestResult {
  matching: MatchingCounts;
  seconds: number;
  postSeconds: number;
  recordsPerSecond: number;
  jobs: number;
  cpu: Record<string, number>;
  idleBefore: number;
  loadBefore: number;
  /** Share of the machine's CPU time the hypervisor took during the run (undefined: unknown). */
  steal: number | undefined;
  /** {@link hostSpeed} just before the run (MB/s); undefined for the quiet warm-ups. */
  hostBefore: number | undefined;
}

/**
 * Sends the events in batches, waits for every job, and checks the outcome: every event applied
 * once, nothing rejected, no dead letters. Throws with the numbers when not.
 */
async function ingest(
  services: BenchServices,
  service: Service,
  events: EventWorkload['events'],
  label: string,
  options: { quiet?: boolean } = {},
): Promise<IngestResult> {
  const bodies: string[] = [];
  for (let i = 0; i < events.length; i += batchSize)
    bodies.push(JSON.stringify({ events: events.slice(i, i + batchSize) }));
  const idleBefore = options.quiet ? 1 : await waitForIdle(waitIdle);
  const hostBefore = options.quiet ? undefined : hostSpeed();
  const loadBefore = loadAverage();
  const cpuBefore = cpuSnapshot(services, service);
  const machineBefore = machineCpu();
  const started = performance.now();
  const jobIds: string[] = [];
  for (const body of bodies) jobIds.push(await postEvents(service.apiUrl, body));
  const posted = performance.now();
  const { outcomes, doneAt } = await waitForJobs(service.apiUrl, jobIds);
  const seconds = (doneAt - started) / 1000;
  const cpu = cpuDelta(cpuBefore, cpuSnapshot(services, service));
  const steal = stealShare(machineBefore, machineCpu());
  const matching = checkOutcomes(outcomes, events.length, label);
  const dead = await deadLetterCount(service.apiUrl);
  if (dead > 0) throw new Error(`${label}: ${dead} dead-lettered job(s) after the run`);
  benchLog(
    `${label}: ${fmt(events.length)} records in ${seconds.toFixed(2)} s = ${fmt(events.length / seconds)} records/s ` +
      `(POSTs done after ${((posted - started) / 1000).toFixed(2)} s; idle before ${Math.round(idleBefore * 100)} %, load ${loadBefore.toFixed(1)}, host ${describeHost(hostBefore)}, steal during ${describeSteal(steal)}; ` +
      `CPU ms per 1000 records: ${describeCpu(cpu, events.length)}; per record: ${(matching.candidates / events.length).toFixed(1)} candidates, ` +
      `${(matching.scored / events.length).toFixed(1)} pairs scored; ${matching.capped} records capped, ${matching.matched} matched, ${matching.reviews} reviews)`,
  );
  return {
    matching,
    seconds,
    postSeconds: (posted - started) / 1000,
    recordsPerSecond: events.length / seconds,
    jobs: jobIds.length,
    cpu,
    idleBefore,
    loadBefore,
    steal,
    hostBefore,
  };
}

/**
 * Every event applied once with nothing dropped, and every event's attributes stored as a record;
 * returns the summed matching counts.
 */
function checkOutcomes(
  outcomes: readonly JobOutcome[],
  expected: number,
  label: string,
): MatchingCounts {
  const applied = outcomes.reduce((n, o) => n + o.counts.applied, 0);
  const duplicates = outcomes.reduce((n, o) => n + o.counts.duplicates, 0);
  const rejectedEvents = outcomes.reduce((n, o) => n + o.counts.rejected, 0);
  const rejections = outcomes.flatMap((o) => o.rejected);
  if (applied !== expected || duplicates > 0 || rejectedEvents > 0 || rejections.length > 0) {
    const reasons = new Map<string, number>();
    for (const r of rejections) reasons.set(r.reason, (reasons.get(r.reason) ?? 0) + 1);
    throw new Error(
      `${label}: ${expected} events sent, ${applied} applied, ${duplicates} duplicates, ${rejectedEvents} rejected whole, ` +
        `${rejections.length} rejections (${[...reasons].map(([k, v]) => `${k}: ${v}`).join(', ') || 'none'})`,
    );
  }
  const matching: MatchingCounts = emptyMatching();
  for (const o of outcomes) {
    if (!o.matching) throw new Error(`${label}: job ${o.jobId} reports no matching counts`);
    for (const key of Object.keys(matching) as (keyof MatchingCounts)[])
      matching[key] += o.matching[key];
  }
  if (matching.records !== expected)
    throw new Error(
      `${label}: ${expected} events applied but ${matching.records} records stored for matching`,
    );
  return matching;
}

interface ServiceReadout {
  /** Every record resolved to its person (POST /v1/resolve, 1000 per call): the service's answer. */
  resolveSeconds: number;
  /** Resolve plus the per-person link readout the evaluation needs. */
  lookupSeconds: number;
  personOf: Map<string, string>;
  persons: number;
  /** GET /v1/persons/{id}/links calls (persons of two or more records). */
  linkRequests: number;
  links: BenchLink[];
  /** Record id pairs of probabilistic links at or above the threshold. */
  linkPairs: [string, string][];
  linksByMethod: Record<string, number>;
  modelVersions: string[];
}

/** Every record's person (POST /v1/resolve), then the links of every person with two or more records. */
async function readService(service: Service, workload: EventWorkload): Promise<ServiceReadout> {
  const started = performance.now();
  const ids = workload.events.map((e) => e.identifiers[0]!.value);
  const personIds = await resolvePersons(
    service.apiUrl,
    ids.map((value) => ({ type: IDENTIFIER_TYPE, value })),
  );
  const resolveSeconds = (performance.now() - started) / 1000;
  const personOf = new Map<string, string>();
  const sizes = new Map<string, number>();
  personIds.forEach((personId, i) => {
    if (personId === null)
      throw new Error(`${workload.name}: record ${i} does not resolve to a person after ingest`);
    personOf.set(recordIdOf(workload.name, ids[i]!), personId);
    sizes.set(personId, (sizes.get(personId) ?? 0) + 1);
  });
  const multi = [...sizes].filter(([, n]) => n > 1).map(([id]) => id);
  const links = await personLinks(service.apiUrl, multi, lookupConcurrency);
  const lookupSeconds = (performance.now() - started) / 1000;
  const linksByMethod: Record<string, number> = {};
  const modelVersions = new Set<string>();
  const linkPairs: [string, string][] = [];
  for (const link of links) {
    const key = `${link.method}/${link.status}`;
    linksByMethod[key] = (linksByMethod[key] ?? 0) + 1;
    if (link.modelVersion) modelVersions.add(link.modelVersion);
    if (link.method !== 'probabilistic' || link.status !== 'active' || link.confidence < threshold)
      continue;
    if (link.from.type !== IDENTIFIER_TYPE || link.to.type !== IDENTIFIER_TYPE)
      throw new Error(
        `${workload.name}: a probabilistic link between ${link.from.type} and ${link.to.type}`,
      );
    linkPairs.push([
      recordIdOf(workload.name, link.from.value),
      recordIdOf(workload.name, link.to.value),
    ]);
  }
  return {
    resolveSeconds,
    lookupSeconds,
    personOf,
    persons: sizes.size,
    linkRequests: multi.length,
    links,
    linkPairs,
    linksByMethod,
    modelVersions: [...modelVersions],
  };
}

/** How the service's link pairs compare with the offline reference's. */
function pairOverlap(service: readonly [string, string][], offline: readonly [string, string][]) {
  const key = ([a, b]: readonly [string, string]) => (a < b ? `${a}\u0000${b}` : `${b}\u0000${a}`);
  const s = new Set(service.map(key));
  const o = new Set(offline.map(key));
  let both = 0;
  for (const k of s) if (o.has(k)) both += 1;
  return { both, serviceOnly: s.size - both, offlineOnly: o.size - both };
}

// ------------------------------------------------------------------------------------------------
// One data set

/** The model file's term-frequency tables as --tf asks. */
const tfTables = (records: readonly MatchRecord[], model: FellegiSunterModel) =>
  tfMinCount === undefined ? undefined : termFrequencyTables(records, model, tfMinCount);

interface DatasetResult {
  dataset: string;
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

function writeModelFile(
  dir: string,
  name: string,
  model: FellegiSunterModel,
  blockingRules: readonly BlockingRule[],
  workload: EventWorkload,
  termFrequencies: TermFrequencyTables | undefined,
  training: Record<string, unknown>,
): string {
  const path = join(dir, `${name}.model.json`);
  writeFileSync(
    path,
    modelFileJson({
      model,
      blockingRules,
      attributeKinds: workload.attributeKinds,
      mode: workload.mode,
      termFrequencies,
      training,
    }),
  );
  return path;
}

async function runDataset(
  services: BenchServices,
  graph: Graph,
  modelDir: string,
  name: Dataset['name'],
): Promise<DatasetResult> {
  const setup = SETUPS[name];
  const workload = toEventWorkload(setup.load(dataDir));
  benchLog(
    `${name}: ${fmt(workload.events.length)} records (${workload.invalidDates} dates of birth are not calendar dates: sent as dateOfBirthRaw)`,
  );
  const trained = await trainSetupInParallel(
    { name, mode: workload.mode, records: workload.records },
    setup,
    { uMaxPairs },
  );
  const tfStarted = performance.now();
  const tf = tfTables(workload.records, trained.model);
  const trainSeconds = trained.seconds + (performance.now() - tfStarted) / 1000;
  benchLog(
    `${name}: trained in ${trainSeconds.toFixed(2)} s (lambda ${trained.model.lambda.toExponential(2)}; ${tf ? fmt(tf.values) : 'no'} term-frequency values in the model file)`,
  );
  // The reference scores with exactly the tables the service gets.
  const offline = scoreOffline(
    { mode: workload.mode, records: workload.records, truth: workload.truth },
    setup.blockingRules,
    trained.model,
    { threshold, cap: maxCandidates, termFrequencies: tf?.tables ?? {} },
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
  const service = await startService(services, modelFile, name);
  try {
    await warmService(services, graph, service, name, workload.mode);
    const ingested = await ingest(services, service, workload.events, name);
    const lookupCpuBefore = cpuSnapshot(services, service);
    const readout = await readService(service, workload);
    const lookupCpu = cpuDelta(lookupCpuBefore, cpuSnapshot(services, service));
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
      problemsLogged:
        service.api.problems.length + service.workers.reduce((n, w) => n + w.problems.length, 0),
    };
  } finally {
    await stopService(service);
  }
}

// ------------------------------------------------------------------------------------------------
// Speed runs

interface SpeedResult {
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
 * What the synthetic populations are drawn from: FEBRL3's and FEBRL4's records, and FEBRL's
 * attribute kinds. Read from the data directory once: the warm-ups and the speed runs all use them.
 */
const febrlSources = (() => {
  let loaded: { raw: RawRecord[]; attributeKinds: Dataset['attributeKinds'] } | undefined;
  return () => {
    if (!loaded) {
      const febrl3 = loadFebrl3(dataDir);
      loaded = {
        raw: [...febrl3.raw, ...loadFebrl4(dataDir).raw],
        attributeKinds: febrl3.attributeKinds,
      };
    }
    return loaded;
  };
})();

/**
 * Untimed: ingests `size` synthetic records (FEBRL3's setup and blocking rules) through a service
 * of its own, in {@link WARM_UP_ROUNDS} rounds, each read back as the timed runs are and followed by
 * a clear of the graph. A fresh Neo4j compiles its query plans and JIT-compiles its code during the
 * first thousands of records (bench/ingest.ts saw its CPU per event fall for long after a start);
 * without a warm-up the first data set would pay for it. A running service is warm.
 */
async function warmUp(
  services: BenchServices,
  graph: Graph,
  modelDir: string,
  size: number,
): Promise<number> {
  const started = performance.now();
  const { raw: sources, attributeKinds } = febrlSources();
  const population = syntheticPopulation(sources, speedSeed + 1000);
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
    tfTables(first.records, model),
    { dataset: 'warm-up' },
  );
  for (const workload of rounds) {
    await clearDisposableGraph(graph);
    const service = await startService(services, modelFile, 'warmup');
    try {
      await ingest(services, service, workload.events, 'warm-up (not counted)', { quiet: true });
      await readService(service, workload);
    } finally {
      await stopService(service);
    }
  }
  await clearDisposableGraph(graph);
  return (performance.now() - started) / 1000;
}

/**
 * Warm-up rounds, each ending in a clear. With one round, the first timed ingest after it cost Neo4j
 * twice the CPU of the later ones: the clear's deletes (index leaf underflow, delete paths through
 * shared cursor and row classes) made the JIT deoptimise code the ingest had warmed, and the first
 * timed run paid for recompiling it (JFR: 104 deoptimisations and the C2 compiler thread as the
 * busiest thread, against 22 in the second run). With a clear inside the warm-up, every timed run
 * follows the same sequence: ingest, clear, ingest.
 */
const WARM_UP_ROUNDS = 2;

/**
 * Untimed: a data set's service processes, started fresh for its model file, ingest and read back
 * {@link SERVICE_WARM_UP} synthetic records, and the graph is cleared again before the timed run. A
 * running service is warm; a Node process that has just started runs its code unoptimised for its
 * first thousands of calls, and the timed run would pay for that: on FEBRL3, the worker's first
 * 3,000 records cost it ~40 % more CPU per record than the 5,000 after them, the API's ~70 % more
 * (docs/benchmarks.md). In `link` mode the records alternate between two sources, so that they are
 * scored.
 */
async function warmService(
  services: BenchServices,
  graph: Graph,
  service: Service,
  name: string,
  mode: Dataset['mode'],
): Promise<void> {
  const { raw: sources, attributeKinds } = febrlSources();
  const population = syntheticPopulation(sources, speedSeed + 2000);
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
  await ingest(services, service, workload.events, `${name}: service warm-up (not counted)`, {
    quiet: true,
  });
  await readService(service, workload);
  await clearDisposableGraph(graph);
}

/** Synthetic records a data set's fresh service ingests before its timed run ({@link warmService}). */
const SERVICE_WARM_UP = 3000;

async function runSpeed(
  services: BenchServices,
  graph: Graph,
  modelDir: string,
): Promise<SpeedResult> {
  const { raw: sources, attributeKinds } = febrlSources();
  const population = syntheticPopulation(sources, speedSeed);
  const base = syntheticRecords(population, speedRecords, 'base');
  const blocking = flags['speed-blocking'];
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
    tfTables(baseWorkload.records, trained.model),
    {
      dataset: `synthetic (seed ${speedSeed}, ${speedRecords} records)`,
      setup: 'febrl3',
      blocking,
    },
  );
  await clearDisposableGraph(graph);
  const service = await startService(services, modelFile, 'speed');
  try {
    const preload = await ingest(services, service, baseWorkload.events, 'speed preload');
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
      const result = await ingest(
        services,
        service,
        workload.events,
        `speed run ${run}/${speedRuns}`,
      );
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

// ------------------------------------------------------------------------------------------------

const f4 = (x: number) => x.toFixed(4);
const prf = (m: { precision: number; recall: number; f1: number }) =>
  `${f4(m.precision)} / ${f4(m.recall)} / ${f4(m.f1)}`;
const secs = (s: number) => `${s.toFixed(1)} s`;
const perRecord = (n: number, records: number) => (n / records).toFixed(1);

/** One data set's end-to-end seconds over the runs of `--repeats`. */
interface Timings {
  idgraph: number[];
  splink: number[];
  /**
   * Steal during each run, as {@link stealShare}: a ratio is only fair between runs at similar
   * steal. idgraph's covers its whole data-set run, service start and links read back included.
   */
  idgraphSteal: (number | undefined)[];
  splinkSteal: (number | undefined)[];
  /** Every idgraph run found the same links (precision and F1) as the first. */
  sameLinks: boolean;
}

/** Runs `work`, and returns its result with the machine's steal share while it ran. */
async function measuringSteal<T>(work: () => Promise<T>): Promise<[T, number | undefined]> {
  const before = machineCpu();
  const result = await work();
  return [result, stealShare(before, machineCpu())];
}

async function main(): Promise<void> {
  const services = await benchServices();
  let interrupted = false;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (interrupted) return;
      interrupted = true;
      benchLog(`${signal}: stopping`);
      killServiceProcesses();
      void services.stop().finally(() => process.exit(130));
    });
  }
  const modelDir = mkdtempSync(join(tmpdir(), 'idgraph-bench-accuracy-'));
  let openGraph: Graph | undefined;
  try {
    const logger = createLogger('warn');
    const config = loadConfig(benchEnv(services));
    const graph = createGraph({
      uri: services.neo4jUri,
      user: config.NEO4J_USER,
      password: config.NEO4J_PASSWORD,
      logger,
    });
    openGraph = graph;
    await applyMigrations(graph, logger);
    await claimDisposableGraph(graph, services.neo4jUri);
    const machine = machineInfo(services);
    const python = withSplink ? splinkPython(flags.python || undefined) : undefined;
    if (withSplink && !python) benchLog('no python3: Splink is skipped');

    const warmupSeconds =
      warmupRecords > 0 && (names.length > 0 || speed)
        ? await warmUp(services, graph, modelDir, warmupRecords)
        : 0;
    if (warmupSeconds > 0)
      benchLog(
        `warm-up: ${fmt(warmupRecords)} records in ${warmupSeconds.toFixed(1)} s (not counted)`,
      );

    const results: DatasetResult[] = [];
    const firstSteal = new Map<string, number | undefined>();
    for (const name of names) {
      const [result, steal] = await measuringSteal(() =>
        runDataset(services, graph, modelDir, name as Dataset['name']),
      );
      results.push(result);
      firstSteal.set(name, steal);
    }
    const speedResult = speed ? await runSpeed(services, graph, modelDir) : undefined;
    await clearDisposableGraph(graph);

    // Splink last, with the service stopped: the two never share the CPU.
    const splink: SplinkResult[] = [];
    const splinkSteal = new Map<SplinkResult, number | undefined>();
    if (python) {
      for (const name of names)
        for (const settings of splinkSettings!) {
          await waitForIdle(waitIdle);
          const host = hostSpeed();
          const [result, steal] = await measuringSteal(() =>
            runSplink(python.python, dataDir, name, settings),
          );
          benchLog(
            `Splink ${name} ${settings}: P ${f4(result.precision)} R ${f4(result.recall)} F1 ${f4(result.f1)} (clustered ${f4(result.clustered.f1)}); ` +
              `${result.wallSeconds.toFixed(2)} s wall (${result.seconds.toFixed(2)} s training + prediction; host ${describeHost(host)} before, steal during ${describeSteal(steal)})`,
          );
          splink.push(result);
          splinkSteal.set(result, steal);
        }
    }
    // More runs of the timings only, the two tools alternating per data set: this host's speed
    // drifts by a quarter within minutes, so one run of each says little about their ratio.
    const timings = new Map<string, Timings>(
      results.map((r) => {
        const first = splink.filter((x) => x.dataset === r.dataset && x.settings === 'published');
        return [
          r.dataset,
          {
            idgraph: [r.totalSeconds],
            splink: first.map((x) => x.wallSeconds),
            idgraphSteal: [firstSteal.get(r.dataset)],
            splinkSteal: first.map((x) => splinkSteal.get(x)),
            sameLinks: true,
          },
        ];
      }),
    );
    for (let round = 2; round <= repeats; round += 1)
      for (const r of results) {
        const t = timings.get(r.dataset)!;
        const [again, againSteal] = await measuringSteal(() =>
          runDataset(services, graph, modelDir, r.dataset as Dataset['name']),
        );
        t.idgraph.push(again.totalSeconds);
        t.idgraphSteal.push(againSteal);
        t.sameLinks &&=
          again.links.f1 === r.links.f1 && again.links.precision === r.links.precision;
        if (python) {
          await clearDisposableGraph(graph);
          await waitForIdle(waitIdle);
          const host = hostSpeed();
          const [s, steal] = await measuringSteal(() =>
            runSplink(python.python, dataDir, r.dataset, 'published'),
          );
          benchLog(
            `Splink ${r.dataset} published (round ${round}): ${s.wallSeconds.toFixed(2)} s wall (host ${describeHost(host)} before, steal during ${describeSteal(steal)})`,
          );
          t.splink.push(s.wallSeconds);
          t.splinkSteal.push(steal);
        }
      }
    const published = new Map<string, PublishedAccuracy | undefined>(
      names.map((n) => [n, publishedAccuracy(dataDir, n, threshold)]),
    );

    const command = `npm run bench -- accuracy ${argv.join(' ')}`.trim();
    const splinkOf = (name: string, settings: string) =>
      splink.find((s) => s.dataset === name && s.settings === settings);
    const out: string[] = [
      '',
      `Accuracy: idgraph pipeline (POST /v1/events -> queue -> resolver -> graph -> API) vs Splink${python ? ` ${splinkVersion(python.python)}` : ''}`,
      '',
      `command: ${command}`,
      describeMachine(machine),
      services.neo4jMemory
        ? `neo4j memory: heap ${services.neo4jMemory.heap}, page cache ${services.neo4jMemory.pageCache}`
        : '',
      `service: MATCH_AUTO_THRESHOLD ${threshold}, MATCH_REVIEW_THRESHOLD ${reviewThreshold}, MATCH_MAX_CANDIDATES ${maxCandidates}, ` +
        `${workerProcesses} worker process(es) x WORKER_CONCURRENCY ${workerConcurrency}, ${batchSize} events per POST; ` +
        `warm-up ${fmt(warmupRecords)} synthetic records; training: u from ${fmt(uMaxPairs)} random pairs; term frequencies in the model file: ${flags.tf === 'all' ? 'every value' : flags.tf === 'none' ? 'none' : `values of >= ${flags.tf} records`}`,
      python ? `splink: ${python.note}` : 'splink: not run',
      '',
    ];
    if (results.length > 0) {
      out.push(
        `Pairwise P / R / F1 at match probability >= ${threshold}; "persons" = every pair inside one resolved person. Times: idgraph = training + ingest + lookups (service start excluded), Splink = the whole Python process.`,
        '',
        table(
          [
            'data set',
            'records',
            'idgraph links P / R / F1',
            'idgraph persons F1',
            'Splink P / R / F1',
            'Splink persons F1',
            'Splink published F1',
            'idgraph end to end (train + ingest + resolve)',
            'Splink time',
            'records/s',
          ],
          results.map((r) => {
            const s = splinkOf(r.dataset, 'published');
            const p = published.get(r.dataset);
            return [
              r.dataset,
              fmt(r.records),
              prf(r.links),
              f4(r.personsMetrics.f1),
              s ? prf(s) : '-',
              s ? f4(s.clustered.f1) : '-',
              p ? f4(p.f1) : '-',
              `${secs(r.totalSeconds)} (${r.trainSeconds.toFixed(1)} + ${r.ingest.seconds.toFixed(1)} + ${r.resolveSeconds.toFixed(1)}; links read back ${r.lookupSeconds.toFixed(1)})`,
              s ? secs(s.wallSeconds) : '-',
              fmt(r.ingest.recordsPerSecond),
            ];
          }),
        ),
        '',
        'Details:',
        '',
        table(
          [
            'data set',
            'offline, same model: links / clustered F1',
            'link pairs: both / service only / offline only',
            'Splink matched settings: F1 / persons F1',
            'Splink training + prediction',
            'service start',
            'per record: candidates / scored (service); candidates (offline)',
            'links by method',
            'invalid dobs',
            'CPU ms per 1000 records (ingest)',
          ],
          results.map((r) => {
            const m = splinkOf(r.dataset, 'matched');
            const s = splinkOf(r.dataset, 'published');
            return [
              r.dataset,
              `${f4(r.offline.links.f1)} / ${f4(r.offline.clustered.f1)}`,
              `${r.overlapWithOffline.both} / ${r.overlapWithOffline.serviceOnly} / ${r.overlapWithOffline.offlineOnly}`,
              m ? `${f4(m.f1)} / ${f4(m.clustered.f1)}` : '-',
              s ? `${secs(s.seconds)}${m ? ` (matched ${secs(m.seconds)})` : ''}` : '-',
              secs(r.serviceStartSeconds),
              `${perRecord(r.ingest.matching.candidates, r.records)} / ${perRecord(r.ingest.matching.scored, r.records)}; ${r.offline.candidatesPerRecord.mean.toFixed(1)}`,
              Object.entries(r.linksByMethod)
                .map(([k, v]) => `${k} ${v}`)
                .join(', ') || 'none',
              String(r.invalidDates),
              describeCpu(r.ingest.cpu, r.records),
            ];
          }),
        ),
        '',
      );
    }
    if (repeats > 1 && results.length > 0) {
      const each = (values: readonly number[]) => values.map((v) => v.toFixed(1)).join(' · ');
      out.push(
        `End to end, ${repeats} runs of each tool, alternating (idgraph: training + ingest + resolve; Splink: the whole process, published settings):`,
        '',
        table(
          [
            'data set',
            'idgraph, each run (s)',
            'idgraph median',
            'Splink, each run (s)',
            'Splink median',
            'idgraph / Splink',
            'steal during, idgraph · Splink per run',
            'same links every run',
          ],
          results.map((r) => {
            const t = timings.get(r.dataset)!;
            const ours = median(t.idgraph);
            const theirs = t.splink.length > 0 ? median(t.splink) : undefined;
            return [
              r.dataset,
              each(t.idgraph),
              secs(ours),
              theirs === undefined ? '-' : each(t.splink),
              theirs === undefined ? '-' : secs(theirs),
              theirs === undefined ? '-' : `${(ours / theirs).toFixed(2)}x`,
              t.idgraphSteal
                .map((v, i) => `${describeSteal(v)} · ${describeSteal(t.splinkSteal[i])}`)
                .join(', '),
              t.sameLinks ? 'yes' : 'NO',
            ];
          }),
        ),
        '',
      );
    }
    if (speedResult) {
      out.push(
        `Incremental speed: synthetic FEBRL-like population (seed ${speedSeed}), ${flags['speed-blocking']} blocking rules, model trained on it with FEBRL3's setup; ` +
          `${fmt(speedResult.population)} records ingested first, then ${speedRuns} timed runs of ${fmt(speedBatch)} records (half duplicates of persons in the graph, half new persons).`,
        '',
        table(
          [
            'run',
            'records in graph before',
            'records/s',
            'seconds',
            'per record: candidates / scored',
            'CPU ms per 1000 records',
            'idle before',
            'host before',
            'steal during',
          ],
          [
            [
              'preload',
              '0',
              fmt(speedResult.preload.recordsPerSecond),
              speedResult.preload.seconds.toFixed(2),
              `${perRecord(speedResult.preload.matching.candidates, speedResult.population)} / ${perRecord(speedResult.preload.matching.scored, speedResult.population)}`,
              describeCpu(speedResult.preload.cpu, speedResult.population),
              `${Math.round(speedResult.preload.idleBefore * 100)} %`,
              describeHost(speedResult.preload.hostBefore),
              describeSteal(speedResult.preload.steal),
            ],
            ...speedResult.runs.map((r, i) => [
              `run ${i + 1}`,
              fmt(r.graphRecordsBefore),
              fmt(r.recordsPerSecond),
              r.seconds.toFixed(2),
              `${perRecord(r.matching.candidates, speedBatch)} / ${perRecord(r.matching.scored, speedBatch)}`,
              describeCpu(r.cpu, speedBatch),
              `${Math.round(r.idleBefore * 100)} %`,
              describeHost(r.hostBefore),
              describeSteal(r.steal),
            ]),
          ],
        ),
        '',
        `median records/s over the timed runs: ${fmt(speedResult.medianRecordsPerSecond)} (target >= 2,000)`,
        `persons over every synthetic record: P ${f4(speedResult.personsMetrics.precision)} R ${f4(speedResult.personsMetrics.recall)} F1 ${f4(speedResult.personsMetrics.f1)}`,
        '',
      );
    }
    process.stdout.write(`${out.join('\n')}\n`);
    const file = saveResults('accuracy', {
      command,
      machine,
      neo4jMemory: services.neo4jMemory,
      settings: {
        threshold,
        reviewThreshold,
        maxCandidates,
        uMaxPairs,
        termFrequencies: flags.tf,
        warmupRecords,
        workerProcesses,
        workerConcurrency,
        batchSize,
        splinkSettings: withSplink ? splinkSettings : [],
      },
      splinkPython: python?.python,
      datasets: results,
      splink,
      published: Object.fromEntries(published),
      timings: Object.fromEntries(timings),
      speed: speedResult,
    });
    benchLog(`results saved to ${file}`);
  } finally {
    rmSync(modelDir, { recursive: true, force: true });
    killServiceProcesses();
    await openGraph?.close();
    await deleteQueueKeys(services.redisUrl, QUEUE_PREFIX).catch(() => 0);
    await services.stop();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(
      `bench accuracy failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    killServiceProcesses();
    process.exit(1);
  },
);
