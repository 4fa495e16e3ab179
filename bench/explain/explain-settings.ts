import { benchFlags, positiveInt } from '../harness/bench-flags.js';

/** The explain benchmark's settings, from its flags (`--help` lists them). */
export interface ExplainSettings {
  /** Identifiers per inner layer of the braid between a and b (width^5 shortest paths). */
  width: number;
  /** Identifiers hanging off the braid's inner layers, making the person larger. */
  extra: number;
  /** Timed requests each way (API and raw Cypher), interleaved. */
  requests: number;
  /** Untimed requests each way first. */
  warmup: number;
}

export function explainSettings(argv: readonly string[]): ExplainSettings {
  const flags = benchFlags('usage: npm run bench -- explain [flags]', FLAGS, argv);
  return {
    width: positiveInt(flags.width, 'width'),
    extra: flags.extra === '0' ? 0 : positiveInt(flags.extra, 'extra'),
    requests: positiveInt(flags.requests, 'requests'),
    warmup: flags.warmup === '0' ? 0 : positiveInt(flags.warmup, 'warmup'),
  };
}

const FLAGS = {
  width: {
    default: '4',
    help: 'identifiers per inner layer between a and b (5 inner layers: width^5 shortest paths)',
  },
  extra: { default: '5000', help: 'identifiers hanging off the inner layers (a larger person)' },
  requests: { default: '300', help: 'timed requests each way (API, raw Cypher), interleaved' },
  warmup: { default: '50', help: 'untimed requests each way first (0: none)' },
};
