import { MISSING_LEVEL } from './comparison-levels.js';
import { compileLevels, type LevelEvaluator } from './level-evaluation.js';
import {
  comparisonWeight,
  type FellegiSunterModel,
  levelWeight,
  maximumComparisonWeight,
  priorWeight,
  type ScoreOptions,
  vectorWeight,
} from './fellegi-sunter.js';
import type { MatchRecord } from '../records/normalize-attributes.js';

/**
 * Weighs candidate pairs for a decision, stopping as soon as a pair cannot reach `floor` (the
 * lowest weight any decision acts on): the weight so far plus the most the comparisons not yet made
 * could add is an upper bound on the pair's weight, and most candidates of a record are not its
 * match, so two or three disagreeing comparisons settle them. Comparisons are made in the order
 * that settles pairs soonest (most weight at stake per unit of work first).
 *
 * A pair that can reach the floor is weighed in full, with {@link vectorWeight}: the same vector
 * and the same weight, to the bit, as weighing it without a floor. A pair cut short would have
 * weighed less than the floor (a margin keeps rounding in the bound from deciding one).
 */

export interface WeighedPair {
  /** Level index per comparison, in model order. */
  readonly vector: number[];
  readonly weight: number;
}

export interface PairWeigher {
  /** The pair's vector and weight, or undefined when its weight is below the floor. */
  weigh(left: MatchRecord, right: MatchRecord): WeighedPair | undefined;
}

/** Rounding the bound may accumulate, far below any weight difference a threshold could make. */
const MARGIN = 1e-6;

/** Work per comparison: similarity measures cost more than equality. */
function cost(levels: readonly { when: { type: string } }[]): number {
  return levels.filter((l) => l.when.type !== 'exact' && l.when.type !== 'else').length + 1;
}

export function createPairWeigher(
  model: FellegiSunterModel,
  options: ScoreOptions,
  floor: number,
  evaluator: Pick<LevelEvaluator, 'evaluateCompiledLevels'>,
): PairWeigher {
  const { comparisons } = model;
  const compiled = comparisons.map((c) => compileLevels(c.levels));
  const maximum = comparisons.map((_, i) => maximumComparisonWeight(model, i, options));
  // Level weights without term frequencies, and where term frequencies adjust the exact level.
  const weights = comparisons.map((c) => c.levels.map((l) => levelWeight(l.m, l.u)));
  const adjusted = comparisons.map((c) =>
    c.termFrequency && options.termFrequencies?.[c.attribute]
      ? c.levels.map((level) => level.when.type === 'exact')
      : undefined,
  );
  // What a comparison can move the bound by: from its best level to its worst.
  const stake = weights.map((w, i) => maximum[i]! - Math.min(0, ...w));
  const order = comparisons
    .map((c, i) => ({ i, merit: stake[i]! / cost(c.levels) }))
    .sort((a, b) => b.merit - a.merit || a.i - b.i)
    .map(({ i }) => i);
  const start = priorWeight(model.lambda) + maximum.reduce((sum, w) => sum + w, 0);
  const cutoff = floor - MARGIN;

  return {
    weigh(left, right) {
      const vector = new Array<number>(comparisons.length);
      let bound = start;
      for (const i of order) {
        const comparison = comparisons[i]!;
        const a = left.values[comparison.attribute];
        const b = right.values[comparison.attribute];
        let weight = 0;
        let level = MISSING_LEVEL;
        if (a != null && b != null) {
          level = evaluator.evaluateCompiledLevels(compiled[i]!, a, b, left, right);
          weight = adjusted[i]?.[level]
            ? comparisonWeight(model, i, level, left, right, options)
            : weights[i]![level]!;
        }
        vector[i] = level;
        bound += weight - maximum[i]!;
        if (bound < cutoff) return undefined;
      }
      return { vector, weight: vectorWeight(model, vector, left, right, options) };
    },
  };
}
