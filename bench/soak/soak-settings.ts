import { benchFlags, positiveInt } from '../harness/bench-flags.js';

export interface SoakSettings {
  minutes: number;
  /** Minutes at the start left out of the growth figures (JIT, caches, pools filling). */
  warmupMinutes: number;
  workers: number;
  concurrency: number;
  /** Events per second offered (POSTed in requests of batchSize), whatever the workers keep up with. */
  ingestRate: number;
  batchSize: number;
  /** Lookups per second, open loop. */
  rate: number;
  sampleSeconds: number;
  seed: number;
}

const minutes = (value: string, name: string) => {
  const n = Number(value);
  if (!(n > 0)) throw new Error(`--${name} must be a positive number of minutes`);
  return n;
};

export function soakSettings(argv: readonly string[]): SoakSettings {
  const flags = benchFlags(
    'usage: npm run bench -- soak --minutes N [flags]',
    {
      minutes: { default: '10', help: 'how long ingest and lookups run' },
      warmup: {
        default: 'auto',
        help: 'minutes left out of the growth figures; auto: a fifth of --minutes',
      },
      workers: { default: '2', help: 'worker processes' },
      concurrency: { default: '2', help: 'WORKER_CONCURRENCY of each worker process' },
      'ingest-rate': { default: '300', help: 'events per second offered' },
      batch: { default: '500', help: 'events per POST (= per job)' },
      rate: { default: '100', help: 'GET /v1/resolve per second, open loop' },
      'sample-seconds': { default: '5', help: 'seconds between samples' },
      seed: { default: '42', help: 'generator seed' },
    },
    argv,
  );
  const total = minutes(flags.minutes, 'minutes');
  const warmupMinutes = flags.warmup === 'auto' ? total / 5 : minutes(flags.warmup, 'warmup');
  if (warmupMinutes >= total) throw new Error('--warmup must be shorter than --minutes');
  const batchSize = positiveInt(flags.batch, 'batch');
  if (batchSize > 1000) throw new Error('--batch must be at most 1000 (the API limit)');
  return {
    minutes: total,
    warmupMinutes,
    workers: positiveInt(flags.workers, 'workers'),
    concurrency: positiveInt(flags.concurrency, 'concurrency'),
    ingestRate: positiveInt(flags['ingest-rate'], 'ingest-rate'),
    batchSize,
    rate: positiveInt(flags.rate, 'rate'),
    sampleSeconds: positiveInt(flags['sample-seconds'], 'sample-seconds'),
    seed: positiveInt(flags.seed, 'seed'),
  };
}
