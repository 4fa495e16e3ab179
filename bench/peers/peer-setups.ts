import type { BlockingRule } from '../../src/matching/records/blocking.js';
import type { ComparisonDefinition } from '../../src/matching/scoring/comparison-levels.js';
import {
  codeComparison,
  dateComparison,
  exactComparison,
  nameComparison,
  textComparison,
} from '../../src/matching/scoring/comparison-presets.js';
import {
  trainModel,
  type TrainingReport,
  withStartingParameters,
} from '../../src/matching/training/train-model.js';
import type { UEstimate } from '../../src/matching/training/u-estimation.js';
import { estimateUInParallel } from '../../src/matching/training/parallel-u.js';
import type { FellegiSunterModel } from '../../src/matching/scoring/fellegi-sunter.js';
import { type Dataset, loadFake1000, loadFebrl3, loadFebrl4 } from '../datasets/peer-datasets.js';

/**
 * The settings of Splink's published examples for each peer data set, in idgraph's terms: the
 * comparisons, the prediction blocking rules, the EM blocking rules, the deterministic rules and
 * recall for lambda, and the seed; and the training that uses them. The offline evaluation and the
 * accuracy benchmark train with the same code, so their figures sit next to Splink's.
 */

export interface Setup {
  readonly load: (dir?: string) => Dataset;
  readonly comparisons: ComparisonDefinition[];
  readonly blockingRules: BlockingRule[];
  readonly emRules: BlockingRule[];
  readonly lambdaRules: BlockingRule[];
  readonly recall: number;
  readonly seed: number;
}

const rule = (name: string, ...keys: string[]): BlockingRule => ({ name, keys });

export const SETUPS: Readonly<Record<Dataset['name'], Setup>> = {
  febrl3: {
    load: loadFebrl3,
    comparisons: [
      nameComparison('firstName', { swappedWith: 'lastName' }),
      nameComparison('lastName', { swappedWith: 'firstName' }),
      dateComparison('dateOfBirth'),
      codeComparison('socSecId', { maxEdits: [1, 2] }),
      exactComparison('streetNumber', { termFrequency: true }),
      codeComparison('postcode', { termFrequency: true, maxEdits: [1] }),
      textComparison('street'),
      textComparison('city'),
    ],
    blockingRules: [
      rule('ssn', 'socSecId'),
      rule('given', 'firstName'),
      rule('surname', 'lastName'),
      rule('dob', 'dateOfBirth'),
      rule('postcode', 'postcode'),
    ],
    emRules: [rule('dob', 'dateOfBirth'), rule('postcode', 'postcode')],
    lambdaRules: [
      rule('ssn', 'socSecId'),
      rule('names_dob', 'firstName', 'lastName', 'dateOfBirth'),
      {
        name: 'names_swapped_dob',
        keys: ['firstName', 'lastName', 'dateOfBirth'],
        unordered: true,
      },
    ],
    recall: 0.9,
    seed: 2,
  },
  febrl4: {
    load: loadFebrl4,
    comparisons: [
      nameComparison('firstName', { termFrequency: true, swappedWith: 'lastName' }),
      nameComparison('lastName', { termFrequency: true, swappedWith: 'firstName' }),
      dateComparison('dateOfBirth'),
      codeComparison('socSecId', { maxEdits: [1, 2] }),
      exactComparison('streetNumber', { termFrequency: true }),
      codeComparison('postcode', { termFrequency: true, maxEdits: [1, 2] }),
      textComparison('street'),
      textComparison('city'),
    ],
    blockingRules: [
      rule('names', 'firstName', 'lastName'),
      { name: 'names_swapped', keys: ['firstName', 'lastName'], unordered: true },
      rule('dob', 'dateOfBirth'),
      rule('ssn', 'socSecId'),
      rule('state_street', 'state', 'street'),
      rule('number_street', 'streetNumber', 'street'),
      rule('postcode', 'postcode'),
    ],
    emRules: [rule('dob', 'dateOfBirth'), rule('postcode', 'postcode')],
    lambdaRules: [
      rule('ssn', 'socSecId'),
      rule('names_dob', 'firstName', 'lastName', 'dateOfBirth'),
    ],
    recall: 0.8,
    seed: 1,
  },
  fake_1000: {
    load: loadFake1000,
    comparisons: [
      nameComparison('firstName', { termFrequency: true, swappedWith: 'lastName' }),
      nameComparison('lastName', { termFrequency: true, swappedWith: 'firstName' }),
      dateComparison('dateOfBirth'),
      exactComparison('city', { termFrequency: true }),
      codeComparison('email', { maxEdits: [1] }),
    ],
    blockingRules: [
      rule('first_name', 'firstName'),
      rule('surname', 'lastName'),
      rule('dob', 'dateOfBirth'),
      rule('email', 'email'),
    ],
    emRules: [
      rule('dob', 'dateOfBirth'),
      rule('email', 'email'),
      rule('names', 'firstName', 'lastName'),
    ],
    // Splink's rules here also allow a one-character dob difference; keys can only express equality.
    lambdaRules: [
      rule('first_dob', 'firstName', 'dateOfBirth'),
      rule('surname_dob', 'lastName', 'dateOfBirth'),
      rule('email', 'email'),
    ],
    recall: 0.7,
    seed: 5,
  },
};

/** Default random pairs for u estimation (as Splink's examples: `estimate_u_using_random_sampling(max_pairs=1e6)`). */
export const U_MAX_PAIRS = 1_000_000;

/**
 * Trains the setup's model on `records` (default: the data set's): lambda from the deterministic
 * rules, u from `uMaxPairs` random pairs, m by one EM session per EM rule.
 */
export function trainSetup(
  dataset: Pick<Dataset, 'mode' | 'records'> & { readonly name: string },
  setup: Setup,
  options: { uMaxPairs?: number; u?: UEstimate } = {},
): { model: FellegiSunterModel; report: TrainingReport; seconds: number } {
  const started = performance.now();
  const start: FellegiSunterModel = {
    version: 'start',
    lambda: 1e-4,
    comparisons: withStartingParameters(setup.comparisons),
  };
  const { model, report } = trainModel(dataset.records, start, {
    mode: dataset.mode,
    version: `${dataset.name}-trained`,
    lambda: { rules: setup.lambdaRules, recall: setup.recall },
    emRules: setup.emRules,
    seed: setup.seed,
    uMaxPairs: options.uMaxPairs ?? U_MAX_PAIRS,
    ...(options.u === undefined ? {} : { u: options.u }),
  });
  return { model, report, seconds: (performance.now() - started) / 1000 };
}

/** {@link trainSetup} with u estimated on every core (the same model, sooner), timed as a whole. */
export async function trainSetupInParallel(
  dataset: Pick<Dataset, 'mode' | 'records'> & { readonly name: string },
  setup: Setup,
  options: { uMaxPairs?: number } = {},
): Promise<{ model: FellegiSunterModel; report: TrainingReport; seconds: number }> {
  const started = performance.now();
  const u = await estimateUInParallel(dataset.records, setup.comparisons, {
    mode: dataset.mode,
    maxPairs: options.uMaxPairs ?? U_MAX_PAIRS,
    seed: setup.seed,
  });
  const trained = trainSetup(dataset, setup, { ...options, u });
  return { ...trained, seconds: (performance.now() - started) / 1000 };
}
