/**
 * Offline accuracy of the matching core on the peer benchmark sets, without the graph:
 * block -> train (lambda from deterministic rules, u from random pairs, m by EM) -> score ->
 * threshold -> cluster (connected components, as the service links) -> pairwise P/R/F1.
 *
 *   npx tsx bench/peers/offline-eval.ts [--data DIR] [--only febrl3,febrl4,fake_1000] [--json]
 *                                       [--threshold 0.5] [--cap 1000|none] [--default-model]
 *                                       [--blocking peer|default] [--show-model] [--save-model DIR]
 *                                       [--u-pairs 1000000]
 *
 * Settings mirror Splink's published examples for the same sets (same prediction blocking rules,
 * same EM rules, same deterministic rules for lambda, 1e6 random pairs for u), so the numbers sit
 * next to `splink_bench.py`'s. Reads shared/data in place; writes nothing.
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { type BlockingRule, generateCandidatePairs } from '../../src/matching/records/blocking.js';
import type { ComparisonDefinition } from '../../src/matching/scoring/comparison-levels.js';
import {
  codeComparison,
  dateComparison,
  exactComparison,
  nameComparison,
  textComparison,
} from '../../src/matching/scoring/comparison-presets.js';
import { createLevelEvaluator } from '../../src/matching/scoring/level-evaluation.js';
import { createValueMemo } from '../../src/matching/records/value-memo.js';
import { DEFAULT_BLOCKING_RULES, DEFAULT_MODEL } from '../../src/matching/model/default-model.js';
import {
  trainModel,
  type TrainingReport,
  withStartingParameters,
} from '../../src/matching/training/train-model.js';
import type { UEstimate } from '../../src/matching/training/u-estimation.js';
import { saveModelFile } from '../../src/matching/model/model-file.js';
import { estimateUInParallel } from '../../src/matching/training/parallel-u.js';
import {
  clusterMetrics,
  connectedComponents,
  type PairwiseMetrics,
  pairwiseMetrics,
  type TruthRecord,
} from '../../src/matching/evaluate.js';
import {
  buildTermFrequencies,
  type FellegiSunterModel,
  scoreVector,
  type TermFrequencies,
  termFrequencyAttributes,
} from '../../src/matching/scoring/fellegi-sunter.js';
import {
  type Dataset,
  DEFAULT_DATA_DIR,
  loadFake1000,
  loadFebrl3,
  loadFebrl4,
} from './datasets.js';

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

export interface EvalResult {
  readonly dataset: string;
  readonly model: string;
  readonly records: number;
  readonly candidates: number;
  readonly candidatesPerRecord: { mean: number; p99: number; max: number; capped: number };
  readonly lambda: number;
  readonly pairwise: PairwiseMetrics;
  readonly clustered: PairwiseMetrics;
  readonly trainSeconds: number;
  readonly scoreSeconds: number;
  readonly seconds: number;
}

function percentile(values: Int32Array, p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0;
}

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

export interface OfflineScore {
  readonly candidates: number;
  readonly candidatesPerRecord: EvalResult['candidatesPerRecord'];
  /** Record id pairs at or above the threshold. */
  readonly links: [string, string][];
  readonly pairwise: PairwiseMetrics;
  readonly clustered: PairwiseMetrics;
  readonly seconds: number;
}

/**
 * Scores every candidate pair of the blocking rules with `model` (term frequencies from all records
 * unless given), keeps those at or above the threshold, clusters them into connected components.
 */
export function scoreOffline(
  dataset: Pick<Dataset, 'mode' | 'records'> & { readonly truth: readonly TruthRecord[] },
  blockingRules: readonly BlockingRule[],
  model: FellegiSunterModel,
  options: {
    threshold: number;
    cap: number | undefined;
    /** Default: built from all `records` (as Splink builds them from the data). */
    termFrequencies?: TermFrequencies;
  },
): OfflineScore {
  const started = performance.now();
  const { records, truth, mode } = dataset;
  const candidates = generateCandidatePairs(records, blockingRules, {
    mode,
    ...(options.cap === undefined ? {} : { maxCandidatesPerRecord: options.cap }),
  });
  const termFrequencies =
    options.termFrequencies ?? buildTermFrequencies(records, termFrequencyAttributes(model));
  const evaluator = createLevelEvaluator(createValueMemo());
  const links: [string, string][] = [];
  for (const { left, right } of candidates.pairs) {
    const a = records[left]!;
    const b = records[right]!;
    const vector = evaluator.comparisonVector(model.comparisons, a, b);
    const score = scoreVector(model, vector, a, b, { termFrequencies });
    if (score.probability >= options.threshold) links.push([a.id, b.id]);
  }
  const clusters = connectedComponents(
    records.map((r) => r.id),
    links,
  );
  const per = candidates.candidatesPerRecord;
  return {
    candidates: candidates.pairs.length,
    candidatesPerRecord: {
      mean: per.reduce((s, v) => s + v, 0) / per.length,
      p99: percentile(per, 0.99),
      max: per.reduce((m, v) => Math.max(m, v), 0),
      capped: candidates.cappedRecords,
    },
    links,
    pairwise: pairwiseMetrics(links, truth, mode),
    clustered: clusterMetrics(clusters, truth, mode),
    seconds: (performance.now() - started) / 1000,
  };
}

export function evaluate(
  dataset: Dataset,
  setup: Setup,
  options: {
    threshold: number;
    cap: number | undefined;
    useDefaultModel: boolean;
    label?: string;
    uMaxPairs?: number;
  },
): EvalResult & { trained: FellegiSunterModel } {
  const started = performance.now();
  const model = options.useDefaultModel
    ? DEFAULT_MODEL
    : trainSetup(dataset, setup, {
        ...(options.uMaxPairs === undefined ? {} : { uMaxPairs: options.uMaxPairs }),
      }).model;
  const trained = performance.now();
  const scored = scoreOffline(dataset, setup.blockingRules, model, options);
  return {
    dataset: dataset.name,
    model: `${options.useDefaultModel ? DEFAULT_MODEL.version : 'trained'}${options.label ?? ''}`,
    records: dataset.records.length,
    candidates: scored.candidates,
    candidatesPerRecord: scored.candidatesPerRecord,
    lambda: model.lambda,
    pairwise: scored.pairwise,
    clustered: scored.clustered,
    trainSeconds: (trained - started) / 1000,
    scoreSeconds: scored.seconds,
    seconds: (performance.now() - started) / 1000,
    trained: model,
  };
}

const fmt = (x: number): string => x.toFixed(4);

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      data: { type: 'string', default: DEFAULT_DATA_DIR },
      only: { type: 'string', default: 'febrl3,febrl4,fake_1000' },
      threshold: { type: 'string', default: '0.5' },
      cap: { type: 'string', default: '1000' },
      'default-model': { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      'show-model': { type: 'boolean', default: false },
      blocking: { type: 'string', default: 'peer' },
      'save-model': { type: 'string' },
      'u-pairs': { type: 'string', default: String(U_MAX_PAIRS) },
    },
  });
  const cap = values.cap === 'none' ? undefined : Number(values.cap);
  for (const name of values.only.split(',') as Dataset['name'][]) {
    const setup = SETUPS[name];
    if (!setup) throw new Error(`unknown data set ${name}`);
    const dataset = setup.load(values.data);
    if (values.blocking !== 'peer' && values.blocking !== 'default')
      throw new Error(
        '--blocking is peer (the Splink example rules) or default (idgraph defaults)',
      );
    const effective =
      values.blocking === 'default'
        ? { ...setup, blockingRules: [...DEFAULT_BLOCKING_RULES] }
        : setup;
    const { trained, ...result } = evaluate(dataset, effective, {
      threshold: Number(values.threshold),
      cap,
      useDefaultModel: values['default-model'],
      label: values.blocking === 'default' ? '+default-blocking' : '',
      uMaxPairs: Number(values['u-pairs']),
    });
    if (values.json) {
      console.log(JSON.stringify(result));
    } else {
      const { pairwise: p, clustered: c, candidatesPerRecord: k } = result;
      console.log(
        `${result.dataset.padEnd(10)} ${result.model.padEnd(18)} pairs: P ${fmt(p.precision)} R ${fmt(p.recall)} F1 ${fmt(p.f1)} ` +
          `(tp ${p.truePositives} fp ${p.falsePositives} fn ${p.falseNegatives}) | clustered: P ${fmt(c.precision)} R ${fmt(c.recall)} F1 ${fmt(c.f1)} ` +
          `| candidates ${result.candidates} (per record mean ${k.mean.toFixed(1)} p99 ${k.p99} max ${k.max} capped ${k.capped}) ` +
          `| lambda ${result.lambda.toExponential(2)} | ${result.seconds.toFixed(2)}s (train ${result.trainSeconds.toFixed(2)}s)`,
      );
    }
    const saveDir = values['save-model'];
    if (saveDir !== undefined)
      await saveModelFile(join(saveDir, `${dataset.name}.model.json`), {
        model: trained,
        blockingRules: effective.blockingRules,
        training: { dataset: dataset.name, emRules: effective.emRules, seed: effective.seed },
      });
    if (values['show-model'])
      for (const comparison of trained.comparisons)
        console.log(
          `  ${comparison.name}: ${comparison.levels.map((l) => `${l.when.type}${'min' in l.when ? l.when.min : ''}${'max' in l.when ? l.when.max : ''} m=${l.m.toFixed(4)} u=${l.u.toExponential(2)} w=${Math.log2(l.m / l.u).toFixed(2)}`).join(' | ')}`,
        );
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
