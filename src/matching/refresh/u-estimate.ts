import { randomInt } from 'node:crypto';
import type { BlockingRule } from '../records/blocking.js';
import type { MatchRecord } from '../records/normalize-attributes.js';
import type { ModelFile } from '../model/model-file.js';
import {
  assertValidModel,
  type FellegiSunterModel,
  termFrequencyAttributes,
} from '../scoring/fellegi-sunter.js';
import {
  commonTermFrequencies,
  DEFAULT_MIN_TERM_FREQUENCY_COUNT,
} from '../training/model-training.js';
import { estimateUInParallel } from '../training/parallel-u.js';
import { refreshedVersion } from './refresh-policy.js';

/**
 * A model's u and term frequencies estimated from a sample of records, everything else kept: the
 * comparisons (and so m and every level), lambda, the blocking rules and the mode. u comes from
 * random record pairs, as `idgraph model train` estimates it (u-estimation.ts), in the model's
 * mode; term frequencies are the shares of the values at least `minTermFrequencyCount` records of
 * the sample hold (a rarer value nearly identifies its holders and stays out).
 *
 * A comparison whose attribute fewer than {@link MIN_RECORDS_PER_COMPARISON} records of the sample
 * carry keeps its u: a handful of records say too little about how often strangers agree.
 *
 * The result holds values (the term-frequency tables): the caller hashes them before storing
 * (term-frequency-tables.ts).
 */

/** Records that must carry a comparison's attribute for its u to be estimated. */
export const MIN_RECORDS_PER_COMPARISON = 100;

/** Default random pairs for u: as `idgraph model train`, a million pin u down well. */
export const DEFAULT_U_PAIRS = 1_000_000;

export interface BaseModel {
  readonly model: FellegiSunterModel;
  readonly blockingRules: readonly BlockingRule[];
  readonly mode?: 'dedupe' | 'link';
}

export interface UEstimateOptions {
  /** When the estimate is made: names the version and dates its provenance. */
  readonly at: Date;
  /** Records the graph held, for the provenance (default: the sample's size). */
  readonly graphRecords?: number;
  readonly uPairs?: number;
  readonly minTermFrequencyCount?: number;
  /** Seed of the random pairs (default: a random one). */
  readonly seed?: number;
  /** Threads counting pairs; with `onThisThread: false` none of them is the caller's. */
  readonly threads?: number;
  readonly onThisThread?: boolean;
}

export interface RefreshedModel {
  /** The model file of the new version, `uSource` the estimate's provenance. */
  readonly file: ModelFile;
  /** attribute -> value -> share: personal data, hashed before it is stored. */
  readonly termFrequencies: Record<string, Record<string, number>>;
  /** Random pairs counted. */
  readonly pairs: number;
  /** Comparisons that kept the base model's u (too few records carry their attribute). */
  readonly keptU: readonly string[];
}

export async function estimateRefreshedModel(
  records: readonly MatchRecord[],
  base: BaseModel,
  options: UEstimateOptions,
): Promise<RefreshedModel> {
  const seed = options.seed ?? randomInt(2 ** 32);
  const uPairs = options.uPairs ?? DEFAULT_U_PAIRS;
  const minCount = options.minTermFrequencyCount ?? DEFAULT_MIN_TERM_FREQUENCY_COUNT;
  const { comparisons } = base.model;
  const estimate = await estimateUInParallel(records, comparisons, {
    mode: base.mode ?? 'dedupe',
    maxPairs: uPairs,
    seed,
    ...(options.threads === undefined ? {} : { threads: options.threads }),
    ...(options.onThisThread === undefined ? {} : { onThisThread: options.onThisThread }),
  });
  const keptU: string[] = [];
  const model: FellegiSunterModel = {
    version: refreshedVersion(base.model.version, options.at),
    lambda: base.model.lambda,
    comparisons: comparisons.map((comparison, c) => {
      const carrying = records.filter((r) => r.values[comparison.attribute] != null).length;
      if (carrying < MIN_RECORDS_PER_COMPARISON) {
        keptU.push(comparison.name);
        return comparison;
      }
      return {
        ...comparison,
        levels: comparison.levels.map((level, l) => ({ ...level, u: estimate.u[c]![l]! })),
      };
    }),
  };
  assertValidModel(model);
  const termFrequencies = commonTermFrequencies(records, termFrequencyAttributes(model), minCount);
  const file: ModelFile = {
    model,
    blockingRules: base.blockingRules,
    ...(base.mode === undefined ? {} : { mode: base.mode }),
    uSource: {
      kind: 'estimated',
      records: records.length,
      at: options.at.toISOString(),
      pairs: estimate.pairs,
    },
    training: {
      uEstimatedFrom: base.model.version,
      graphRecords: options.graphRecords ?? records.length,
      uSeed: seed,
      minTermFrequencyCount: minCount,
      keptU,
    },
  };
  return { file, termFrequencies, pairs: estimate.pairs, keptU };
}
