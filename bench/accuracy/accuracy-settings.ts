import { join } from 'node:path';
import { DEFAULT_DATA_DIR, type Dataset } from '../datasets/peer-datasets.js';
import { benchFlags, idleShare, positiveInt } from '../harness/bench-flags.js';
import { SETUPS, U_MAX_PAIRS } from '../peers/peer-setups.js';
import { RESULTS_DIR } from '../report/results-file.js';

const BOOLEAN_FLAGS = ['--no-splink', '--speed', '--speed-only'] as const;

export interface AccuracySettings {
  /** The data sets of the accuracy runs (none with --speed-only). */
  names: Dataset['name'][];
  dataDir: string;
  threshold: number;
  reviewThreshold: number;
  maxCandidates: number;
  uMaxPairs: number;
  /** --tf as given: all, none or a minimum count. */
  tf: string;
  /** Minimum records per value kept in the model file's term-frequency tables; undefined: no tables. */
  tfMinCount: number | undefined;
  workerProcesses: number;
  workerConcurrency: number;
  batchSize: number;
  repeats: number;
  withSplink: boolean;
  splinkSettings: readonly ('published' | 'matched')[];
  /** --python ('' to find or create one). */
  python: string;
  speed: boolean;
  speedRecords: number;
  speedBatch: number;
  speedRuns: number;
  speedBlocking: 'default' | 'peer';
  speedSeed: number;
  lookupConcurrency: number;
  warmupRecords: number;
  /** Where the speed runs' service processes write V8 CPU profiles (undefined: none). */
  cpuProfDir: string | undefined;
  /** Share of the machine that must be idle before a timed run. */
  waitIdle: number;
}

/** The accuracy benchmark's flags (`--help` lists them), checked. */
export function accuracySettings(argv: readonly string[]): AccuracySettings {
  const booleans = new Set(argv.filter((a) => (BOOLEAN_FLAGS as readonly string[]).includes(a)));
  const flags = accuracyFlags(argv.filter((a) => !booleans.has(a)));
  const threshold = Number(flags.threshold);
  if (!(threshold > 0 && threshold < 1)) throw new Error('--threshold must be in (0, 1)');
  const reviewThreshold =
    flags['review-threshold'] === '' ? threshold : Number(flags['review-threshold']);
  if (!(reviewThreshold > 0 && reviewThreshold <= threshold))
    throw new Error('--review-threshold must be in (0, --threshold]');
  const batchSize = positiveInt(flags.batch, 'batch');
  if (batchSize > 1000) throw new Error('--batch must be at most 1000 (the API limit)');
  const workers = /^(\d+)x(\d+)$/.exec(flags.workers);
  if (!workers) throw new Error('--workers must be PxC, e.g. 1x2');
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
  const names = speedOnly ? [] : flags.only.split(',').map((n) => n.trim());
  for (const name of names)
    if (!(name in SETUPS))
      throw new Error(
        `--only: unknown data set ${name} (known: ${Object.keys(SETUPS).join(', ')})`,
      );
  const speedBlocking = flags['speed-blocking'];
  if (speedBlocking !== 'default' && speedBlocking !== 'peer')
    throw new Error('--speed-blocking must be default or peer');
  return {
    names: names as Dataset['name'][],
    dataDir: flags.data,
    threshold,
    reviewThreshold,
    maxCandidates: positiveInt(flags['max-candidates'], 'max-candidates'),
    uMaxPairs: positiveInt(flags['u-pairs'], 'u-pairs'),
    tf: flags.tf,
    tfMinCount:
      flags.tf === 'all' ? 1 : flags.tf === 'none' ? undefined : positiveInt(flags.tf, 'tf'),
    workerProcesses: positiveInt(workers[1]!, 'workers'),
    workerConcurrency: positiveInt(workers[2]!, 'workers'),
    batchSize,
    repeats: positiveInt(flags.repeats, 'repeats'),
    withSplink: !booleans.has('--no-splink') && !speedOnly,
    splinkSettings,
    python: flags.python,
    speed: speedOnly || booleans.has('--speed'),
    speedRecords: positiveInt(flags['speed-records'], 'speed-records'),
    speedBatch: positiveInt(flags['speed-batch'], 'speed-batch'),
    speedRuns: positiveInt(flags['speed-runs'], 'speed-runs'),
    speedBlocking,
    speedSeed: positiveInt(flags['speed-seed'], 'speed-seed'),
    lookupConcurrency: positiveInt(flags['lookup-concurrency'], 'lookup-concurrency'),
    warmupRecords: flags.warmup === '0' ? 0 : positiveInt(flags.warmup, 'warmup'),
    cpuProfDir: flags['cpu-prof'] === 'yes' ? join(RESULTS_DIR, 'cpu-prof') : undefined,
    waitIdle: idleShare(flags['wait-idle']),
  };
}

function accuracyFlags(argv: readonly string[]) {
  return benchFlags(
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
      'u-pairs': {
        default: String(U_MAX_PAIRS),
        help: 'random pairs for u estimation in training',
      },
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
      'speed-records': {
        default: '50000',
        help: 'speed runs: records in the graph before timing',
      },
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
        // A running service is warm; a fresh Neo4j compiles its plans and JIT-compiles its code
        // over its first records, so without a warm-up the first data set would pay for that.
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
    argv,
  );
}
