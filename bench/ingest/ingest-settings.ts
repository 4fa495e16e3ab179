import { join } from 'node:path';
import { benchFlags, idleShare, positiveInt } from '../harness/bench-flags.js';
import { RESULTS_DIR } from '../report/results-file.js';

/** How the ingest benchmark's workers run: in the API's process, or as worker processes. */
export type Layout =
  | { kind: 'inproc'; concurrency: number; label: string }
  | { kind: 'procs'; processes: number; concurrency: number; label: string };

export interface IngestSettings {
  events: number;
  runs: number;
  batchSize: number;
  seed: number;
  layouts: Layout[];
  ceiling: 'yes' | 'no' | 'only';
  ceilingConcurrency: number;
  warmupRuns: number;
  order: 'stream' | 'shuffled';
  /** Every event carries consent purposes (consent state written per identifier and purpose). */
  consent: boolean;
  /** Share of the machine that must be idle before a timed run. */
  waitIdle: number;
  /** Where worker processes write V8 CPU profiles (undefined: none). */
  cpuProfDir: string | undefined;
}

/** The ingest benchmark's flags (`--help` lists them), checked. */
export function ingestSettings(argv: readonly string[]): IngestSettings {
  const flags = benchFlags(
    'usage: npm run bench -- ingest [flags]',
    {
      events: { default: '100000', help: 'events in the stream' },
      runs: { default: '3', help: 'timed runs per layout and per ceiling (median reported)' },
      batch: { default: '1000', help: 'events per POST (= per job, per ceiling transaction)' },
      seed: { default: '42', help: 'generator seed' },
      layouts: {
        default: 'inproc:3,procs:2x2,procs:1x3',
        help: 'worker layouts: inproc:C (API + worker of concurrency C in one process), procs:PxC (P worker processes)',
      },
      'ceiling-concurrency': { default: '2', help: 'ceiling transactions in flight at once' },
      ceiling: { default: 'yes', help: 'yes | no | only' },
      warmup: {
        default: '2',
        help: 'untimed warm-up runs (end to end, and ceiling passes) before the timed ones',
      },
      order: {
        default: 'stream',
        help: 'stream (as generated: persons appear one after another) | shuffled (merge-heavy)',
      },
      consent: {
        default: 'no',
        help: 'yes: every event carries consent.purposes (identity_linking and analytics granted, marketing granted by two events in three)',
      },
      'wait-idle': {
        default: '0',
        help: 'before each timed run, wait (at most 5 min) until the machine is this % idle',
      },
      'cpu-prof': {
        default: 'no',
        help: 'yes: worker processes write V8 CPU profiles to bench/.results/cpu-prof/',
      },
    },
    argv,
  );
  const batchSize = positiveInt(flags.batch, 'batch');
  if (batchSize > 1000) throw new Error('--batch must be at most 1000 (the API limit)');
  const { order, ceiling } = flags;
  if (order !== 'stream' && order !== 'shuffled')
    throw new Error('--order must be stream or shuffled');
  if (ceiling !== 'yes' && ceiling !== 'no' && ceiling !== 'only')
    throw new Error('--ceiling must be yes, no or only');
  if (flags.consent !== 'yes' && flags.consent !== 'no')
    throw new Error('--consent must be yes or no');
  return {
    events: positiveInt(flags.events, 'events'),
    runs: positiveInt(flags.runs, 'runs'),
    batchSize,
    seed: positiveInt(flags.seed, 'seed'),
    layouts: ceiling === 'only' ? [] : flags.layouts.split(',').map((l) => parseLayout(l.trim())),
    ceiling,
    ceilingConcurrency: positiveInt(flags['ceiling-concurrency'], 'ceiling-concurrency'),
    warmupRuns: flags.warmup === '0' ? 0 : positiveInt(flags.warmup, 'warmup'),
    order,
    consent: flags.consent === 'yes',
    waitIdle: idleShare(flags['wait-idle']),
    cpuProfDir: flags['cpu-prof'] === 'yes' ? join(RESULTS_DIR, 'cpu-prof') : undefined,
  };
}

function parseLayout(text: string): Layout {
  const inproc = /^inproc:(\d+)$/.exec(text);
  if (inproc)
    return { kind: 'inproc', concurrency: positiveInt(inproc[1]!, 'layouts'), label: text };
  const procs = /^procs:(\d+)x(\d+)$/.exec(text);
  if (procs)
    return {
      kind: 'procs',
      processes: positiveInt(procs[1]!, 'layouts'),
      concurrency: positiveInt(procs[2]!, 'layouts'),
      label: text,
    };
  throw new Error(`--layouts: "${text}" is neither inproc:C nor procs:PxC`);
}
