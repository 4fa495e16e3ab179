import { join } from 'node:path';
import { DEFAULT_DATA_DIR } from '../datasets/peer-datasets.js';
import { benchFlags, idleShare, positiveInt } from '../harness/bench-flags.js';
import { RESULTS_DIR } from '../report/results-file.js';

/** The rescore benchmark's settings, from its flags (`--help` lists them). */
export interface RescoreSettings {
  records: number;
  seed: number;
  warmupRecords: number;
  dataDir: string;
  threshold: number;
  reviewThreshold: number;
  maxCandidates: number;
  workerProcesses: number;
  workerConcurrency: number;
  batchSize: number;
  /** Extra arguments of `idgraph model rescore` (e.g. `--page-size 1000`), split on spaces. */
  rescoreArgs: string[];
  uPairs: number;
  /** Share of the machine that must be idle before a timed run. */
  waitIdle: number;
  /** Where the timed rescore command writes its V8 CPU profile (undefined: none). */
  rescoreProfDir: string | undefined;
  /** The service's processes write none (the shared service helpers take it). */
  cpuProfDir: undefined;
}

export function rescoreSettings(argv: readonly string[]): RescoreSettings {
  const flags = benchFlags('usage: npm run bench -- rescore [flags]', FLAGS, argv);
  const workers = /^(\d+)x(\d+)$/.exec(flags.workers);
  if (!workers) throw new Error('--workers must be PxC, e.g. 1x2');
  const threshold = Number(flags.threshold);
  const reviewThreshold = Number(flags['review-threshold']);
  if (!(threshold > 0 && threshold < 1)) throw new Error('--threshold must be in (0, 1)');
  if (!(reviewThreshold > 0 && reviewThreshold <= threshold))
    throw new Error('--review-threshold must be in (0, --threshold]');
  const batchSize = positiveInt(flags.batch, 'batch');
  if (batchSize > 1000) throw new Error('--batch must be at most 1000 (the API limit)');
  if (flags['cpu-prof'] !== 'yes' && flags['cpu-prof'] !== 'no')
    throw new Error('--cpu-prof must be yes or no');
  return {
    records: positiveInt(flags.records, 'records'),
    seed: positiveInt(flags.seed, 'seed'),
    warmupRecords: flags.warmup === '0' ? 0 : positiveInt(flags.warmup, 'warmup'),
    dataDir: flags.data,
    threshold,
    reviewThreshold,
    maxCandidates: positiveInt(flags['max-candidates'], 'max-candidates'),
    workerProcesses: positiveInt(workers[1]!, 'workers'),
    workerConcurrency: positiveInt(workers[2]!, 'workers'),
    batchSize,
    rescoreArgs: flags['rescore-args'].split(' ').filter((a) => a.length > 0),
    uPairs: positiveInt(flags['u-pairs'], 'u-pairs'),
    waitIdle: idleShare(flags['wait-idle']),
    rescoreProfDir: flags['cpu-prof'] === 'yes' ? join(RESULTS_DIR, 'cpu-prof') : undefined,
    cpuProfDir: undefined,
  };
}

const FLAGS = {
  records: { default: '50000', help: 'synthetic records ingested, then rescored' },
  seed: { default: '7', help: 'seed of the synthetic FEBRL-like population' },
  warmup: {
    default: '10000',
    help: 'untimed: records ingested and rescored first on a graph cleared after (0: none)',
  },
  data: { default: DEFAULT_DATA_DIR, help: 'shared data directory (FEBRL, read in place)' },
  threshold: { default: '0.95', help: 'MATCH_AUTO_THRESHOLD (the service default)' },
  'review-threshold': { default: '0.5', help: 'MATCH_REVIEW_THRESHOLD (the service default)' },
  'max-candidates': { default: '200', help: 'MATCH_MAX_CANDIDATES (the service default)' },
  workers: { default: '1x2', help: 'ingest: worker processes x WORKER_CONCURRENCY each' },
  batch: { default: '1000', help: 'ingest: events per POST (= per job)' },
  'rescore-args': {
    default: '',
    help: 'extra arguments of idgraph model rescore, space separated',
  },
  'u-pairs': { default: '1000000', help: 'idgraph model train --u-pairs' },
  'cpu-prof': {
    default: 'no',
    help: 'yes: the timed idgraph model rescore writes a V8 CPU profile to bench/.results/cpu-prof/',
  },
  'wait-idle': {
    default: '0',
    help: 'before each timed step, wait (at most 5 min) until the machine is this % idle',
  },
};
