import { benchFlags, idleShare, positiveInt } from '../harness/bench-flags.js';

/** The history benchmark's settings, from its flags (`--help` lists them). */
export interface HistorySettings {
  /** Events that build the person. */
  events: number;
  /** Persons created on their own and then merged into the person (two events each). */
  merges: number;
  /** Events per POST (= per ingest job) when the person is built. */
  batchSize: number;
  /** `limit` of the page read. */
  pageSize: number;
  /** Timed reads of the page, each way. */
  reads: number;
  /** Untimed reads first, each way. */
  warmupReads: number;
  /** Share of the machine that must be idle before the timed reads. */
  waitIdle: number;
}

export function historySettings(argv: readonly string[]): HistorySettings {
  const flags = benchFlags('usage: npm run bench -- history [flags]', FLAGS, argv);
  const settings = {
    events: positiveInt(flags.events, 'events'),
    merges: positiveInt(flags.merges, 'merges'),
    batchSize: positiveInt(flags.batch, 'batch'),
    pageSize: positiveInt(flags.page, 'page'),
    reads: positiveInt(flags.reads, 'reads'),
    warmupReads: flags.warmup === '0' ? 0 : positiveInt(flags.warmup, 'warmup'),
    waitIdle: idleShare(flags['wait-idle']),
  };
  if (settings.events < 2 * settings.merges + 1)
    throw new Error('--events must be at least 2 * --merges + 1');
  if (settings.batchSize > 1000) throw new Error('--batch must be at most 1000 (the API limit)');
  if (settings.merges > settings.batchSize)
    throw new Error('--merges must be at most --batch (the persons are created in one POST)');
  if (settings.pageSize > 1000) throw new Error('--page must be at most 1000 (the API limit)');
  return settings;
}

const FLAGS = {
  events: { default: '10000', help: 'events that build the person' },
  merges: { default: '1000', help: 'persons created apart and then merged into it' },
  batch: { default: '1000', help: 'events per POST (= per ingest job) building the person' },
  page: { default: '100', help: 'limit of the page read (the API default)' },
  reads: { default: '200', help: 'timed reads of each page, each way' },
  warmup: { default: '50', help: 'untimed reads of each page first, each way (0: none)' },
  'wait-idle': {
    default: '0',
    help: 'before the timed reads, wait (at most 5 min) until the machine is this % idle',
  },
};
