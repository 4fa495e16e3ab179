import { type BlockingRule, generateCandidatePairs } from '../records/blocking.js';
import { trainModel, type TrainingReport, withStartingParameters } from './train-model.js';
import type { UEstimate } from './u-estimation.js';
import {
  type FellegiSunterModel,
  termFrequencyAttributes,
  valueCounts,
} from '../scoring/fellegi-sunter.js';
import type { ModelFile } from '../model/model-file.js';
import type { MatchRecord } from '../records/normalize-attributes.js';
import { estimateUInParallel } from './parallel-u.js';

/**
 * Training a model file from the records the graph holds (`idgraph model train`): the active
 * model's comparisons with fresh starting parameters, lambda from {@link LAMBDA_RULES}, u from
 * random pairs, m by EM with one session per active blocking rule (see `trainModel`). The active
 * blocking rules, attribute kinds and mode are kept, so the new file blocks and normalises exactly
 * as the old one did and only the parameters change.
 *
 * Pure and deterministic given the records (in order), the options and the seed. Records and term
 * frequencies are personal data: the returned report holds names and counts only.
 */

/** Fewer records than this say too little to estimate a model: training refuses. */
export const MIN_TRAINING_RECORDS = 100;

/** Default for {@link TrainModelFileOptions.minTermFrequencyCount}. */
export const DEFAULT_MIN_TERM_FREQUENCY_COUNT = 5;

/**
 * Deterministic rules for lambda: two records with the same first name, last name and date of birth
 * (names in either order) are taken to be one person. Nearly every pair they find is a match; the
 * assumed recall says what share of all matches they find.
 */
export const LAMBDA_RULES: readonly BlockingRule[] = [
  { name: 'names_dob', keys: ['firstName', 'lastName', 'dateOfBirth'], unordered: true },
];

/** The active model as training starts from it: blocking rules resolved (the file's or the default). */
export interface ActiveModel extends ModelFile {
  readonly blockingRules: readonly BlockingRule[];
}

export interface TrainModelFileOptions {
  /** Version of the new model; recorded in every explanation it produces. */
  readonly version: string;
  readonly seed: number;
  /** Random pairs for u (all pairs when there are fewer). */
  readonly uPairs: number;
  /** Share of all true matches {@link LAMBDA_RULES} are assumed to find, in (0, 1]. */
  readonly recall: number;
  /** Term-frequency values held by fewer records than this are left out of the file. */
  readonly minTermFrequencyCount: number;
  readonly trainedAt: Date;
  /** u estimated beforehand with the same records, pairs and seed (see {@link uForTraining}). */
  readonly u?: UEstimate;
}

/**
 * What {@link trainModelFile} estimates u with, on every core: the estimate it would make itself,
 * sooner. Pass the result as `options.u`.
 */
export function uForTraining(
  records: readonly MatchRecord[],
  active: ActiveModel,
  options: Pick<TrainModelFileOptions, 'seed' | 'uPairs'>,
): Promise<UEstimate> {
  return estimateUInParallel(records, active.model.comparisons, {
    mode: active.mode ?? 'dedupe',
    maxPairs: options.uPairs,
    seed: options.seed,
  });
}

export interface ModelTrainingResult {
  readonly file: ModelFile;
  readonly report: TrainingReport;
  /** Pairs {@link LAMBDA_RULES} found. */
  readonly deterministicPairs: number;
  /** Comparisons whose attribute no record carries: they keep their starting parameters. */
  readonly withoutData: readonly string[];
  /** Per term-frequency attribute, the values kept in the file (counts only). */
  readonly termFrequencyValues: Readonly<Record<string, number>>;
}

/** The graph holds too little to train on; a message for people, without values. */
export class TrainingDataError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TrainingDataError';
  }
}

/**
 * Share of records holding each value of each attribute (as `buildTermFrequencies`: over the
 * records where the attribute is present), keeping only values held by at least `minCount` records.
 * A rarer value nearly identifies its holders, so it stays out of the file; the scorer then uses
 * the exact level's average u for it. Values are sorted, so the file diffs cleanly; attributes with
 * no value left are omitted.
 */
export function commonTermFrequencies(
  records: readonly MatchRecord[],
  attributes: readonly string[],
  minCount: number,
): Record<string, Record<string, number>> {
  const tables: Record<string, Record<string, number>> = {};
  for (const attribute of attributes) {
    const { counts, present } = valueCounts(records, attribute);
    const kept = [...counts]
      .filter(([, count]) => count >= minCount)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    if (kept.length > 0)
      tables[attribute] = Object.fromEntries(
        kept.map(([value, count]) => [value, count / present]),
      );
  }
  return tables;
}

/**
 * Trains a new model file on `records`. Throws {@link TrainingDataError} when there are fewer than
 * {@link MIN_TRAINING_RECORDS} records or {@link LAMBDA_RULES} find no pair (lambda would be a guess).
 */
export function trainModelFile(
  records: readonly MatchRecord[],
  active: ActiveModel,
  options: TrainModelFileOptions,
): ModelTrainingResult {
  if (records.length < MIN_TRAINING_RECORDS) {
    throw new TrainingDataError(
      `the graph holds ${records.length} records with attributes; training needs at least ${MIN_TRAINING_RECORDS}`,
    );
  }
  const mode = active.mode ?? 'dedupe';
  const deterministicPairs = generateCandidatePairs(records, LAMBDA_RULES, { mode }).pairs.length;
  if (deterministicPairs === 0) {
    throw new TrainingDataError(
      'no two records share first name, last name and date of birth: lambda cannot be estimated',
    );
  }
  const start: FellegiSunterModel = {
    version: active.model.version,
    lambda: active.model.lambda,
    comparisons: withStartingParameters(active.model.comparisons),
  };
  const { model, report } = trainModel(records, start, {
    mode,
    version: options.version,
    lambda: { rules: LAMBDA_RULES, recall: options.recall },
    emRules: active.blockingRules,
    seed: options.seed,
    uMaxPairs: options.uPairs,
    ...(options.u === undefined ? {} : { u: options.u }),
  });

  const withoutData = model.comparisons
    .filter((c) => !records.some((r) => r.values[c.attribute] != null))
    .map((c) => c.name);
  const termFrequencies = commonTermFrequencies(
    records,
    termFrequencyAttributes(model),
    options.minTermFrequencyCount,
  );
  const termFrequencyValues = Object.fromEntries(
    Object.entries(termFrequencies).map(([attribute, table]) => [
      attribute,
      Object.keys(table).length,
    ]),
  );
  const file: ModelFile = {
    model,
    blockingRules: active.blockingRules,
    ...(active.attributeKinds === undefined ? {} : { attributeKinds: active.attributeKinds }),
    ...(active.mode === undefined ? {} : { mode: active.mode }),
    ...(Object.keys(termFrequencies).length === 0 ? {} : { termFrequencies }),
    training: {
      trainedAt: options.trainedAt.toISOString(),
      records: records.length,
      startedFrom: active.model.version,
      seed: options.seed,
      lambdaRules: LAMBDA_RULES.map((r) => r.name),
      recall: options.recall,
      deterministicPairs,
      uPairs: report.uPairs,
      minTermFrequencyCount: options.minTermFrequencyCount,
      withoutData,
      emSessions: report.sessions,
    },
  };
  return { file, report, deterministicPairs, withoutData, termFrequencyValues };
}
