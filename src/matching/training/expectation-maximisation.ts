import { MISSING_LEVEL } from '../scoring/comparison-levels.js';
import type { FellegiSunterModel } from '../scoring/fellegi-sunter.js';

export interface EmOptions {
  /** Starting prior for this set of pairs (not the global lambda: blocked pairs match more often). */
  readonly initialLambda: number;
  /** Comparisons (by name) left out of this session: not scored and not updated. */
  readonly exclude?: ReadonlySet<string>;
  readonly maxIterations?: number;
  /** Stop when no m and not lambda moves by more than this. Default 1e-4. */
  readonly tolerance?: number;
  /** Also re-estimate u (default false: u from random sampling is more reliable, as in Splink). */
  readonly updateU?: boolean;
}

export interface EmResult {
  /** Per comparison, per level; `null` for excluded comparisons. */
  readonly m: (number[] | null)[];
  readonly u: (number[] | null)[];
  /** Estimated share of matches among the pairs trained on. */
  readonly lambda: number;
  readonly iterations: number;
  readonly converged: boolean;
}

const MIN_PROBABILITY = 1e-6;

/**
 * Expectation maximisation over comparison vectors (level index per comparison, model order).
 * Identical vectors are aggregated first, so cost per iteration is in distinct vectors.
 */
export function expectationMaximisation(
  model: Pick<FellegiSunterModel, 'comparisons'>,
  vectors: readonly (readonly number[])[],
  options: EmOptions,
): EmResult {
  const { comparisons } = model;
  const active = comparisons.map((c) => !options.exclude?.has(c.name));
  const patterns = new Map<string, { vector: readonly number[]; count: number }>();
  for (const vector of vectors) {
    const key = vector.join(',');
    const entry = patterns.get(key);
    if (entry) entry.count += 1;
    else patterns.set(key, { vector, count: 1 });
  }
  const rows = [...patterns.values()];
  let m = comparisons.map((c) => c.levels.map((l) => l.m));
  let u = comparisons.map((c) => c.levels.map((l) => l.u));
  let lambda = options.initialLambda;
  const maxIterations = options.maxIterations ?? 25;
  const tolerance = options.tolerance ?? 1e-4;
  let iterations = 0;
  let converged = false;
  while (iterations < maxIterations && !converged) {
    iterations += 1;
    const mCounts = comparisons.map((c) => new Float64Array(c.levels.length));
    const uCounts = comparisons.map((c) => new Float64Array(c.levels.length));
    let matches = 0;
    let total = 0;
    for (const { vector, count } of rows) {
      // Posterior in the log domain to survive many strongly-weighted comparisons.
      let logOdds = Math.log(lambda / (1 - lambda));
      vector.forEach((level, index) => {
        if (level === MISSING_LEVEL || !active[index]) return;
        logOdds += Math.log(m[index]![level]! / u[index]![level]!);
      });
      const p =
        logOdds > 0 ? 1 / (1 + Math.exp(-logOdds)) : Math.exp(logOdds) / (1 + Math.exp(logOdds));
      matches += p * count;
      total += count;
      vector.forEach((level, index) => {
        if (level === MISSING_LEVEL || !active[index]) return;
        mCounts[index]![level]! += p * count;
        uCounts[index]![level]! += (1 - p) * count;
      });
    }
    const normalise = (levelCounts: Float64Array, previous: number[]): number[] => {
      const sum = levelCounts.reduce((s, c) => s + c, 0);
      if (sum === 0) return previous;
      return [...levelCounts].map((c) => Math.max(c / sum, MIN_PROBABILITY));
    };
    const nextM = m.map((levels, index) =>
      active[index] ? normalise(mCounts[index]!, levels) : levels,
    );
    const nextU = options.updateU
      ? u.map((levels, index) => (active[index] ? normalise(uCounts[index]!, levels) : levels))
      : u;
    const nextLambda = Math.min(Math.max(matches / total, MIN_PROBABILITY), 1 - MIN_PROBABILITY);
    let change = Math.abs(nextLambda - lambda);
    nextM.forEach((levels, i) =>
      levels.forEach((v, j) => (change = Math.max(change, Math.abs(v - m[i]![j]!)))),
    );
    nextU.forEach((levels, i) =>
      levels.forEach((v, j) => (change = Math.max(change, Math.abs(v - u[i]![j]!)))),
    );
    m = nextM;
    u = nextU;
    lambda = nextLambda;
    converged = change < tolerance;
  }
  return {
    m: m.map((levels, index) => (active[index] ? levels : null)),
    u: u.map((levels, index) => (active[index] && options.updateU ? levels : null)),
    lambda,
    iterations,
    converged,
  };
}
