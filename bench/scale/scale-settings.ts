import { benchFlags, idleShare, positiveInt } from '../harness/bench-flags.js';

export interface ScaleSettings {
  /** Worker process counts, one run each, in order. */
  workers: number[];
  /** WORKER_CONCURRENCY of each worker process. */
  concurrency: number;
  events: number;
  batchSize: number;
  seed: number;
  order: 'stream' | 'shuffled';
  /** Events of the lookup population, ingested untimed before each run (also the run's warm-up). */
  baseEvents: number;
  /** Lookups per second, whatever the answers do. */
  rate: number;
  /** Seconds of lookups before and after the ingest (each), with no ingest running. */
  idleSeconds: number;
  waitIdle: number;
}

export function scaleSettings(argv: readonly string[]): ScaleSettings {
  const flags = benchFlags(
    'usage: npm run bench -- scale [flags]',
    {
      workers: { default: '1,2,4', help: 'worker process counts, one run each' },
      concurrency: { default: '2', help: 'WORKER_CONCURRENCY of each worker process' },
      events: { default: '40000', help: 'events in the measured stream' },
      batch: { default: '500', help: 'events per POST (= per job)' },
      seed: { default: '42', help: 'generator seed of the measured stream' },
      order: {
        default: 'shuffled',
        help: 'shuffled (a person spread over many batches: concurrent batches overlap) | stream',
      },
      'base-events': {
        default: '10000',
        help: 'events of the lookup population, ingested untimed first (the warm-up)',
      },
      rate: { default: '200', help: 'GET /v1/resolve per second, open loop' },
      'idle-seconds': { default: '15', help: 'seconds of lookups without ingest before and after' },
      'wait-idle': {
        default: '0',
        help: 'before each run, wait (at most 5 min) until the machine is this % idle',
      },
    },
    argv,
  );
  const workers = flags.workers.split(',').map((w) => positiveInt(w.trim(), 'workers'));
  const batchSize = positiveInt(flags.batch, 'batch');
  if (batchSize > 1000) throw new Error('--batch must be at most 1000 (the API limit)');
  if (flags.order !== 'stream' && flags.order !== 'shuffled')
    throw new Error('--order must be stream or shuffled');
  return {
    workers,
    concurrency: positiveInt(flags.concurrency, 'concurrency'),
    events: positiveInt(flags.events, 'events'),
    batchSize,
    seed: positiveInt(flags.seed, 'seed'),
    order: flags.order,
    baseEvents: positiveInt(flags['base-events'], 'base-events'),
    rate: positiveInt(flags.rate, 'rate'),
    idleSeconds: positiveInt(flags['idle-seconds'], 'idle-seconds'),
    waitIdle: idleShare(flags['wait-idle']),
  };
}
