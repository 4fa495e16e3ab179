import {
  type BlockingRule,
  generateCandidatePairs,
  type MatchMode,
  totalPairs,
} from '../records/blocking.js';
import type { MatchRecord } from '../records/normalize-attributes.js';
import { createValueMemo } from '../records/value-memo.js';
import type { ComparisonDefinition } from '../scoring/comparison-levels.js';
import type { FellegiSunterModel, ModelComparison } from '../scoring/fellegi-sunter.js';
import { createLevelEvaluator } from '../scoring/level-evaluation.js';
import { expectationMaximisation } from './expectation-maximisation.js';
import { estimateU, type UEstimate } from './u-estimation.js';

/**
 * Unsupervised training, following Splink's recipe:
 * 1. lambda (the prior) from deterministic rules: pairs they find, over all pairs, over the rules'
 *    assumed recall;
 * 2. u from random pairs, which are almost all non-matches;
 * 3. m by expectation maximisation on blocked candidate pairs with u fixed, one session per
 *    blocking rule. A session leaves out the comparisons on the attributes it blocks on (all those
 *    pairs agree on them, so they say nothing), and each m is the mean over the sessions that
 *    estimated it.
 * Everything is deterministic given the seed and the input order.
 */

/** Attributes a blocking rule reads (the part of each key before any `:transform`). */
export function ruleAttributes(rule: BlockingRule): Set<string> {
  return new Set(rule.keys.map((part) => part.split(':')[0]!));
}

/**
 * lambda from deterministic rules (rules so strict that nearly every pair they find is a match):
 * pairs found / all pairs / `recall`, the share of all true matches the rules are assumed to find.
 */
export function estimateLambda(
  records: readonly MatchRecord[],
  rules: readonly BlockingRule[],
  options: { mode: MatchMode; recall: number },
): number {
  const found = generateCandidatePairs(records, rules, { mode: options.mode }).pairs.length;
  const all = totalPairs(records, options.mode);
  const lambda = found / all / options.recall;
  return Math.min(Math.max(lambda, 1 / all), 0.5);
}

export interface TrainingOptions {
  readonly mode: MatchMode;
  /** Version of the trained model (recorded in every explanation). */
  readonly version: string;
  /** A number, or deterministic rules and their assumed recall. */
  readonly lambda: number | { readonly rules: readonly BlockingRule[]; readonly recall: number };
  /** One EM session per rule. */
  readonly emRules: readonly BlockingRule[];
  readonly seed?: number;
  readonly uMaxPairs?: number;
  /**
   * u estimated beforehand from the same records, comparisons, pairs and seed (for instance on
   * several threads, parallel-u.ts); estimated here when absent.
   */
  readonly u?: UEstimate;
  readonly maxIterations?: number;
  readonly tolerance?: number;
}

export interface TrainingReport {
  readonly lambda: number;
  readonly uPairs: number;
  readonly sessions: readonly {
    readonly rule: string;
    readonly pairs: number;
    readonly iterations: number;
    readonly converged: boolean;
    readonly lambda: number;
    readonly trained: readonly string[];
  }[];
}

function withLevels(
  comparison: ModelComparison,
  m: readonly number[] | undefined,
  u: readonly number[] | undefined,
): ModelComparison {
  return {
    ...comparison,
    levels: comparison.levels.map((level, index) => ({
      ...level,
      m: m?.[index] ?? level.m,
      u: u?.[index] ?? level.u,
    })),
  };
}

/**
 * Trains `start` (its comparisons and starting m values; its u and lambda are replaced) on
 * `records`. Returns a new model; `start` is not modified.
 */
export function trainModel(
  records: readonly MatchRecord[],
  start: FellegiSunterModel,
  options: TrainingOptions,
): { model: FellegiSunterModel; report: TrainingReport } {
  const lambda =
    typeof options.lambda === 'number'
      ? options.lambda
      : estimateLambda(records, options.lambda.rules, {
          mode: options.mode,
          recall: options.lambda.recall,
        });
  const uEstimate =
    options.u ??
    estimateU(records, start.comparisons, {
      mode: options.mode,
      ...(options.uMaxPairs === undefined ? {} : { maxPairs: options.uMaxPairs }),
      seed: options.seed ?? 1,
    });
  let model: FellegiSunterModel = {
    version: options.version,
    lambda,
    comparisons: start.comparisons.map((c, i) => withLevels(c, undefined, uEstimate.u[i])),
  };

  const evaluator = createLevelEvaluator(createValueMemo());
  const mSums = model.comparisons.map((c) => new Float64Array(c.levels.length));
  const mSessions = model.comparisons.map(() => 0);
  const sessions: TrainingReport['sessions'][number][] = [];
  for (const rule of options.emRules) {
    const blocked = ruleAttributes(rule);
    const exclude = new Set(
      model.comparisons.filter((c) => blocked.has(c.attribute)).map((c) => c.name),
    );
    const { pairs } = generateCandidatePairs(records, [rule], { mode: options.mode });
    const vectors = pairs.map((p) =>
      evaluator.comparisonVector(model.comparisons, records[p.left]!, records[p.right]!),
    );
    // Start from the global prior, moved by the evidence every blocked pair shares (agreement on
    // the excluded comparisons' top level).
    let logOdds = Math.log(lambda / (1 - lambda));
    for (const comparison of model.comparisons) {
      if (!exclude.has(comparison.name)) continue;
      const top = comparison.levels[0]!;
      logOdds += Math.log(top.m / top.u);
    }
    const initialLambda = Math.min(Math.max(1 / (1 + Math.exp(-logOdds)), 1e-4), 0.99);
    const result = expectationMaximisation(model, vectors, {
      initialLambda,
      exclude,
      ...(options.maxIterations === undefined ? {} : { maxIterations: options.maxIterations }),
      ...(options.tolerance === undefined ? {} : { tolerance: options.tolerance }),
    });
    const trained: string[] = [];
    result.m.forEach((levels, index) => {
      if (!levels) return;
      trained.push(model.comparisons[index]!.name);
      mSessions[index]! += 1;
      levels.forEach((value, level) => (mSums[index]![level]! += value));
    });
    // Later sessions start from what earlier ones learned, as in Splink.
    model = {
      ...model,
      comparisons: model.comparisons.map((c, i) =>
        result.m[i] ? withLevels(c, result.m[i], undefined) : c,
      ),
    };
    sessions.push({
      rule: rule.name,
      pairs: pairs.length,
      iterations: result.iterations,
      converged: result.converged,
      lambda: result.lambda,
      trained,
    });
  }
  model = {
    ...model,
    comparisons: model.comparisons.map((c, i) =>
      mSessions[i]! > 0
        ? withLevels(
            c,
            [...mSums[i]!].map((s) => s / mSessions[i]!),
            undefined,
          )
        : c,
    ),
  };
  return { model, report: { lambda, uPairs: uEstimate.pairs, sessions } };
}

/**
 * Gives parameter-less comparisons starting values for training: m falls away from the top level
 * (most matches agree exactly) and u rises towards `else` (most non-matches disagree). Only the
 * ordering matters to EM; u is replaced by random sampling anyway.
 */
export function withStartingParameters(
  comparisons: readonly ComparisonDefinition[],
): ModelComparison[] {
  return comparisons.map((comparison) => {
    const count = comparison.levels.length;
    const mRaw = comparison.levels.map((_, index) => (index === count - 1 ? 0.05 : 0.5 ** index));
    const uRaw = comparison.levels.map((_, index) =>
      index === count - 1 ? 0.9 : 0.01 * 2 ** index,
    );
    const mSum = mRaw.reduce((s, v) => s + v, 0);
    const uSum = uRaw.reduce((s, v) => s + v, 0);
    return {
      ...comparison,
      levels: comparison.levels.map((level, index) => ({
        ...level,
        m: mRaw[index]! / mSum,
        u: uRaw[index]! / uSum,
      })),
    };
  });
}
