import { type BlockingRule, generateCandidatePairs } from '../../src/matching/records/blocking.js';
import { createLevelEvaluator } from '../../src/matching/scoring/level-evaluation.js';
import { createValueMemo } from '../../src/matching/records/value-memo.js';
import { DEFAULT_MODEL } from '../../src/matching/model/default-model.js';
import { identityEvidenceCheck } from '../../src/matching/scoring/identity-evidence.js';
import {
  buildTermFrequencies,
  type FellegiSunterModel,
  scoreVector,
  type TermFrequencies,
  termFrequencyAttributes,
} from '../../src/matching/scoring/fellegi-sunter.js';
import {
  clusterMetrics,
  connectedComponents,
  type PairwiseMetrics,
  pairwiseMetrics,
  type TruthRecord,
} from '../datasets/evaluate.js';
import type { Dataset } from '../datasets/peer-datasets.js';
import { type Setup, trainSetup } from './peer-setups.js';

/**
 * The matching core on a whole data set at once, without the graph: every candidate pair of the
 * blocking rules scored, the pairs at or above the threshold clustered into connected components
 * (as the service links records into persons), both scored against the truth.
 */

export interface EvalResult {
  readonly dataset: string;
  readonly model: string;
  readonly records: number;
  readonly candidates: number;
  readonly candidatesPerRecord: { mean: number; p99: number; max: number; capped: number };
  readonly lambda: number;
  readonly pairwise: PairwiseMetrics;
  readonly clustered: PairwiseMetrics;
  /** Pairs at or above the threshold held for want of identity evidence. */
  readonly held: number;
  readonly trainSeconds: number;
  readonly scoreSeconds: number;
  readonly seconds: number;
}

function percentile(values: Int32Array, p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0;
}

export interface OfflineScore {
  readonly candidates: number;
  readonly candidatesPerRecord: EvalResult['candidatesPerRecord'];
  /** Record id pairs at or above the threshold (with identity evidence, when it is asked for). */
  readonly links: [string, string][];
  /** Pairs at or above the threshold held for want of identity evidence. */
  readonly held: number;
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
    /**
     * The service's identity evidence (MATCH_HOUSEHOLD_ATTRIBUTES): a pair at or above the threshold
     * without it is held (reviewed), not linked. Default: none, the probability decides alone.
     */
    householdAttributes?: readonly string[];
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
  const links: [string, string][] = [];
  const evaluator = createLevelEvaluator(createValueMemo());
  const hasIdentityEvidence = identityEvidenceCheck(model, options.householdAttributes ?? []);
  let held = 0;
  for (const { left, right } of candidates.pairs) {
    const a = records[left]!;
    const b = records[right]!;
    const vector = evaluator.comparisonVector(model.comparisons, a, b);
    const score = scoreVector(model, vector, a, b, { termFrequencies });
    if (score.probability < options.threshold) continue;
    if (hasIdentityEvidence && !hasIdentityEvidence(vector)) held += 1;
    else links.push([a.id, b.id]);
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
    held,
    pairwise: pairwiseMetrics(links, truth, mode),
    clustered: clusterMetrics(clusters, truth, mode),
    seconds: (performance.now() - started) / 1000,
  };
}

/** Trains the setup's model (or takes the default model) and scores the data set with it, timed. */
export function evaluateSetup(
  dataset: Dataset,
  setup: Setup,
  options: {
    threshold: number;
    cap: number | undefined;
    useDefaultModel: boolean;
    /** Scores with this model (the default model with u estimated from the data) instead. */
    model?: FellegiSunterModel;
    label?: string;
    uMaxPairs?: number;
    householdAttributes?: readonly string[];
  },
): EvalResult & { trained: FellegiSunterModel } {
  const started = performance.now();
  const model = options.model
    ? options.model
    : options.useDefaultModel
      ? DEFAULT_MODEL
      : trainSetup(dataset, setup, {
          ...(options.uMaxPairs === undefined ? {} : { uMaxPairs: options.uMaxPairs }),
        }).model;
  const trained = performance.now();
  const scored = scoreOffline(dataset, setup.blockingRules, model, options);
  return {
    dataset: dataset.name,
    model: `${options.model ? options.model.version.replace(/\+u.*/, '+u') : options.useDefaultModel ? DEFAULT_MODEL.version : 'trained'}${options.label ?? ''}`,
    records: dataset.records.length,
    candidates: scored.candidates,
    candidatesPerRecord: scored.candidatesPerRecord,
    lambda: model.lambda,
    pairwise: scored.pairwise,
    clustered: scored.clustered,
    held: scored.held,
    trainSeconds: (trained - started) / 1000,
    scoreSeconds: scored.seconds,
    seconds: (performance.now() - started) / 1000,
    trained: model,
  };
}
