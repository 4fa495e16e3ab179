import { benchFlags, positiveInt } from '../harness/bench-flags.js';

export interface LookupSettings {
  identifiers: number;
  runs: number;
  /** Seconds per timed run. */
  duration: number;
  connections: number;
  batchSize: number;
  batchConnections: number;
  /** Share of looked-up identifiers that are not in the graph. */
  unknownShare: number;
  warmupSeconds: number;
  logLevel: string;
  /** NEO4J_MAX_POOL_SIZE of the API process ('' for the service default). */
  pool: string;
  seed: number;
  fresh: boolean;
  profile: boolean;
}

/** The lookup benchmark's flags (`--help` lists them), checked. */
export function lookupSettings(argv: readonly string[]): LookupSettings {
  const flags = benchFlags(
    'usage: npm run bench -- lookup [flags]',
    {
      identifiers: { default: '1000000', help: 'identifiers in the graph (3 per person)' },
      runs: { default: '3', help: 'timed runs of each scenario (median reported)' },
      duration: { default: '10', help: 'seconds per timed run' },
      connections: { default: '50', help: 'concurrent connections for GET /v1/resolve' },
      batch: { default: '1000', help: 'identifiers per POST /v1/resolve' },
      'batch-connections': { default: '1', help: 'concurrent connections for POST /v1/resolve' },
      unknown: {
        default: '5',
        help: 'percent of looked-up identifiers that are not in the graph',
      },
      warmup: {
        default: '15',
        help: 'seconds of untimed load per scenario before the runs (JIT of Node and the JVM)',
      },
      'log-level': {
        default: 'info',
        help: 'LOG_LEVEL of the API process (the service default is info)',
      },
      pool: {
        default: '',
        help: 'NEO4J_MAX_POOL_SIZE of the API process (default: the service default)',
      },
      seed: { default: '42', help: 'dataset seed' },
      fresh: { default: 'no', help: 'yes: rebuild the stored graph even when it matches' },
      profile: {
        default: 'no',
        help: 'yes: V8 CPU profile of the API process (bench/.results/)',
      },
    },
    argv,
  );
  const batchSize = positiveInt(flags.batch, 'batch');
  const unknownShare = Number(flags.unknown) / 100;
  const warmupSeconds = Number(flags.warmup);
  if (batchSize > 1000) throw new Error('--batch must be at most 1000 (the API limit)');
  if (!(unknownShare >= 0 && unknownShare < 1))
    throw new Error('--unknown must be a percentage in [0, 100)');
  if (!(warmupSeconds >= 0)) throw new Error('--warmup must be a number of seconds');
  for (const f of ['fresh', 'profile'] as const)
    if (!['yes', 'no'].includes(flags[f])) throw new Error(`--${f} must be yes or no`);
  return {
    identifiers: positiveInt(flags.identifiers, 'identifiers'),
    runs: positiveInt(flags.runs, 'runs'),
    duration: positiveInt(flags.duration, 'duration'),
    connections: positiveInt(flags.connections, 'connections'),
    batchSize,
    batchConnections: positiveInt(flags['batch-connections'], 'batch-connections'),
    unknownShare,
    warmupSeconds,
    logLevel: flags['log-level'],
    pool: flags.pool,
    seed: positiveInt(flags.seed, 'seed'),
    fresh: flags.fresh === 'yes',
    profile: flags.profile === 'yes',
  };
}
