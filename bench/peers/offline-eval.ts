/**
 * Offline accuracy of the matching core on the peer benchmark sets, without the graph:
 * block -> train (lambda from deterministic rules, u from random pairs, m by EM) -> score ->
 * threshold -> cluster (connected components, as the service links) -> pairwise P/R/F1.
 *
 *   npx tsx bench/peers/offline-eval.ts [--data DIR] [--only febrl3,febrl4,fake_1000] [--json]
 *                                       [--threshold 0.5] [--cap 1000|none] [--default-model]
 *                                       [--blocking peer|default] [--show-model] [--save-model DIR]
 *
 * Settings mirror Splink's published examples for the same sets (same prediction blocking rules,
 * same EM rules, same deterministic rules for lambda, 1e6 random pairs for u), so the numbers sit
 * next to `splink_bench.py`'s. Reads shared/data in place; writes nothing.
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { type BlockingRule, generateCandidatePairs } from '../../src/matching/blocking.js';
import {
  codeComparison,
  type ComparisonDefinition,
  comparisonVector,
  dateComparison,
  exactComparison,
  nameComparison,
  textComparison,
} from '../../src/matching/comparisons.js';
import { DEFAULT_BLOCKING_RULES, DEFAULT_MODEL } from '../../src/matching/default-model.js';
import { trainModel, withStartingParameters } from '../../src/matching/em-training.js';
import { saveModelFile } from '../../src/matching/model-file.js';
import {
  clusterMetrics,
  connectedComponents,
  type PairwiseMetrics,
  pairwiseMetrics,
} from '../../src/matching/evaluate.js';
import {
  buildTermFrequencies,
  type FellegiSunterModel,
  scoreVector,
  termFrequencyAttributes,
} from '../../src/matching/fellegi-sunter.js';
import {
  type Dataset,
  DEFAULT_DATA_DIR,
  loadFake1000,
  loadFebrl3,
  loadFebrl4,
} from './datasets.js';

interface Setup {
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

export function evaluate(
  dataset: Dataset,
  setup: Setup,
  options: { threshold: number; cap: number | undefined; useDefaultModel: boolean; label?: string },
): EvalResult & { trained: FellegiSunterModel } {
  const started = performance.now();
  const { records, truth, mode } = dataset;
  let model: FellegiSunterModel;
  if (options.useDefaultModel) {
    model = DEFAULT_MODEL;
  } else {
    const start: FellegiSunterModel = {
      version: 'start',
      lambda: 1e-4,
      comparisons: withStartingParameters(setup.comparisons),
    };
    model = trainModel(records, start, {
      mode,
      version: `${dataset.name}-trained`,
      lambda: { rules: setup.lambdaRules, recall: setup.recall },
      emRules: setup.emRules,
      seed: setup.seed,
      uMaxPairs: 1_000_000,
    }).model;
  }
  const trained = performance.now();

  const candidates = generateCandidatePairs(records, setup.blockingRules, {
    mode,
    ...(options.cap === undefined ? {} : { maxCandidatesPerRecord: options.cap }),
  });
  const termFrequencies = buildTermFrequencies(records, termFrequencyAttributes(model));
  const links: [string, string][] = [];
  for (const { left, right } of candidates.pairs) {
    const a = records[left]!;
    const b = records[right]!;
    const score = scoreVector(model, comparisonVector(model.comparisons, a, b), a, b, {
      termFrequencies,
    });
    if (score.probability >= options.threshold) links.push([a.id, b.id]);
  }
  const scored = performance.now();
  const clusters = connectedComponents(
    records.map((r) => r.id),
    links,
  );
  const per = candidates.candidatesPerRecord;
  return {
    dataset: dataset.name,
    model: `${options.useDefaultModel ? DEFAULT_MODEL.version : 'trained'}${options.label ?? ''}`,
    records: records.length,
    candidates: candidates.pairs.length,
    candidatesPerRecord: {
      mean: per.reduce((s, v) => s + v, 0) / per.length,
      p99: percentile(per, 0.99),
      max: per.reduce((m, v) => Math.max(m, v), 0),
      capped: candidates.cappedRecords,
    },
    lambda: model.lambda,
    pairwise: pairwiseMetrics(links, truth, mode),
    clustered: clusterMetrics(clusters, truth, mode),
    trainSeconds: (trained - started) / 1000,
    scoreSeconds: (scored - trained) / 1000,
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
