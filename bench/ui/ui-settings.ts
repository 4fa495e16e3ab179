import { benchFlags, positiveInt } from '../harness/bench-flags.js';

/** The ui benchmark's settings, from its flags (`--help` lists them). */
export interface UiSettings {
  /** Person sizes (identifiers), each built once and opened `rounds` times. */
  sizes: number[];
  rounds: number;
  /** Untimed opens of each person first. */
  warmupRounds: number;
  /** Chromium to drive (Debian's package; never a downloaded browser). */
  chromium: string;
}

const FLAGS = {
  sizes: { default: '100,1000,10000', help: 'identifiers of each person opened (comma-separated)' },
  rounds: { default: '5', help: 'timed opens of each person, each in a fresh browser context' },
  warmup: { default: '1', help: 'untimed opens of each person first (0: none)' },
  chromium: {
    default: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    help: 'the Chromium executable (CHROMIUM_PATH)',
  },
};

export function uiSettings(argv: readonly string[]): UiSettings {
  const flags = benchFlags('usage: npm run bench -- ui [flags]', FLAGS, argv);
  return {
    sizes: flags.sizes.split(',').map((s) => positiveInt(s.trim(), 'sizes')),
    rounds: positiveInt(flags.rounds, 'rounds'),
    warmupRounds: flags.warmup === '0' ? 0 : positiveInt(flags.warmup, 'warmup'),
    chromium: flags.chromium,
  };
}
