import { benchFlags, idleShare, positiveInt } from '../harness/bench-flags.js';

/** The privacy benchmark's settings, from its flags (`--help` lists them). */
export interface PrivacySettings {
  /** Timed rounds per request type, each on a freshly built person. */
  rounds: number;
  /** Untimed rounds first (0: none). */
  warmupRounds: number;
  identifiers: number;
  events: number;
  /** Events per POST (= per ingest job) when the person is built. */
  batchSize: number;
  /** Change-feed entries read (one person.created each). */
  feedEntries: number;
  /** Entries per ChangeBatch (= events per ingest job of the feed's workload). */
  feedBatch: number;
  /** `limit` of each GET /v1/changes. */
  pageSize: number;
  /** Timed reads of the whole feed, each way. */
  feedRounds: number;
  /** Share of the machine that must be idle before a timed step. */
  waitIdle: number;
}

export function privacySettings(argv: readonly string[]): PrivacySettings {
  const flags = benchFlags('usage: npm run bench -- privacy [flags]', FLAGS, argv);
  const settings = {
    rounds: positiveInt(flags.rounds, 'rounds'),
    warmupRounds: flags.warmup === '0' ? 0 : positiveInt(flags.warmup, 'warmup'),
    identifiers: positiveInt(flags.identifiers, 'identifiers'),
    events: positiveInt(flags.events, 'events'),
    batchSize: positiveInt(flags.batch, 'batch'),
    feedEntries: positiveInt(flags['feed-entries'], 'feed-entries'),
    feedBatch: positiveInt(flags['feed-batch'], 'feed-batch'),
    pageSize: positiveInt(flags.page, 'page'),
    feedRounds: positiveInt(flags['feed-rounds'], 'feed-rounds'),
    waitIdle: idleShare(flags['wait-idle']),
  };
  if (settings.identifiers < 2) throw new Error('--identifiers must be at least 2');
  if (settings.events < settings.identifiers)
    throw new Error('--events must be at least --identifiers (each identifier is linked by one)');
  if (settings.batchSize > 1000 || settings.feedBatch > 1000)
    throw new Error('--batch and --feed-batch must be at most 1000 (the API limit)');
  if (settings.pageSize > 1000) throw new Error('--page must be at most 1000 (the API limit)');
  return settings;
}

const FLAGS = {
  rounds: { default: '5', help: 'timed rounds per request type, each on a freshly built person' },
  warmup: { default: '1', help: 'untimed rounds of each type first (0: none)' },
  identifiers: { default: '1000', help: 'identifiers of the person a request revokes or erases' },
  events: { default: '10000', help: 'events that built the person' },
  batch: { default: '1000', help: 'events per POST (= per ingest job) building the person' },
  'feed-entries': { default: '20000', help: 'change-feed entries read (person.created each)' },
  'feed-batch': { default: '100', help: 'entries per ChangeBatch (events per ingest job)' },
  page: { default: '1000', help: 'limit of each GET /v1/changes (the API maximum)' },
  'feed-rounds': { default: '5', help: 'timed reads of the whole feed, each way' },
  'wait-idle': {
    default: '0',
    help: 'before each timed step, wait (at most 5 min) until the machine is this % idle',
  },
};
