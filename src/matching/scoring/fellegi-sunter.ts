import {
  assertValidComparison,
  type ComparisonDefinition,
  type ComparisonLevel,
  levelLabel,
  MISSING_LEVEL,
} from './comparison-levels.js';
import type { LevelEvaluator } from './level-evaluation.js';
import type { MatchRecord } from '../records/normalize-attributes.js';

/**
 * The Fellegi–Sunter model. For each comparison level, `m` is the probability of that level among
 * true matches and `u` among non-matches; the level's weight is log2(m / u). A pair's match weight
 * is the prior weight log2(lambda / (1 - lambda)) plus the weights of its levels, and its match
 * probability is 2^W / (1 + 2^W). This is the parameterisation Splink uses, so weights are directly
 * comparable with Splink's.
 */

export interface LevelParameters extends ComparisonLevel {
  /** P(level | match). */
  readonly m: number;
  /** P(level | non-match). */
  readonly u: number;
}

export type ModelComparison = ComparisonDefinition<LevelParameters>;

export interface FellegiSunterModel {
  /** Names the parameters; every explanation carries it, so a decision can be traced to a model. */
  readonly version: string;
  /** Prior: probability that two records drawn at random are the same person. */
  readonly lambda: number;
  readonly comparisons: readonly ModelComparison[];
}

/**
 * One attribute's term frequencies: a value's share of records (0..1), for the values the table
 * keeps. A `Map` of values is one (see {@link buildTermFrequencies}; its values are personal data);
 * a table stored in the graph is looked up by the values' keyed hashes (term-frequency-tables.ts).
 */
export interface TermTable {
  get(value: string): number | undefined;
  readonly size: number;
  values(): Iterable<number>;
}

/** Term frequencies per attribute. */
export type TermFrequencies = Readonly<Record<string, TermTable>>;

export interface ScoreOptions {
  readonly termFrequencies?: TermFrequencies;
  /**
   * Floor on a term-frequency u, so one value seen once in a small set cannot dominate a score.
   * Default 1e-6.
   */
  readonly minimumTermFrequency?: number;
}

export interface ComparisonExplanation {
  readonly comparison: string;
  readonly attribute: string;
  /** Level index, or -1 when either value is missing. */
  readonly level: number;
  readonly label: string;
  /** `null` for the missing level. */
  readonly m: number | null;
  readonly u: number | null;
  /** log2(m / u) including any term-frequency adjustment; 0 when missing. */
  readonly weight: number;
  /** log2(u / u_tf): how much rarer (positive) or commoner (negative) than average this value is. */
  readonly tfAdjustment?: number;
}

export interface PairScore {
  readonly modelVersion: string;
  /** Prior weight plus the sum of comparison weights, in bits. */
  readonly matchWeight: number;
  readonly probability: number;
  readonly priorWeight: number;
  readonly vector: readonly ComparisonExplanation[];
}

export const DEFAULT_MINIMUM_TERM_FREQUENCY = 1e-6;

export function priorWeight(lambda: number): number {
  return Math.log2(lambda / (1 - lambda));
}

export function levelWeight(m: number, u: number): number {
  return Math.log2(m / u);
}

/** 2^W / (1 + 2^W), computed without overflow for large |W|. */
export function probabilityFromWeight(matchWeight: number): number {
  if (matchWeight >= 0) return 1 / (1 + 2 ** -matchWeight);
  const odds = 2 ** matchWeight;
  return odds / (1 + odds);
}

export function weightFromProbability(probability: number): number {
  return Math.log2(probability / (1 - probability));
}

/** Throws when the model is malformed: probabilities out of range, duplicate names, bad levels. */
export function assertValidModel(model: FellegiSunterModel): void {
  if (!(model.lambda > 0 && model.lambda < 1)) throw new Error('model: lambda must be in (0, 1)');
  const names = new Set<string>();
  for (const comparison of model.comparisons) {
    assertValidComparison(comparison);
    if (names.has(comparison.name))
      throw new Error(`model: duplicate comparison ${comparison.name}`);
    names.add(comparison.name);
    for (const level of comparison.levels) {
      if (!(level.m > 0 && level.m <= 1 && level.u > 0 && level.u <= 1))
        throw new Error(`comparison ${comparison.name}: m and u must be in (0, 1]`);
    }
  }
}

function termFrequencyU(
  value: string | null | undefined,
  other: string | null | undefined,
  table: TermTable | undefined,
  minimum: number,
): number | null {
  if (table === undefined || value == null || other == null) return null;
  // As Splink: the commoner of the two values decides, so an asymmetric table cannot inflate a score.
  // On an exact level the two are one value: looked up once.
  const share = table.get(value) ?? 0;
  const frequency = other === value ? share : Math.max(share, table.get(other) ?? 0);
  return frequency > 0 ? Math.max(frequency, minimum) : null;
}

/** Per-level weights and labels of a model, computed once: scoring runs for every candidate pair. */
interface ModelTables {
  readonly prior: number;
  readonly weights: readonly (readonly number[])[];
  readonly labels: readonly (readonly string[])[];
}

const tablesOf = new WeakMap<FellegiSunterModel, ModelTables>();

function modelTables(model: FellegiSunterModel): ModelTables {
  let tables = tablesOf.get(model);
  if (!tables) {
    tables = {
      prior: priorWeight(model.lambda),
      weights: model.comparisons.map((c) => c.levels.map((l) => levelWeight(l.m, l.u))),
      labels: model.comparisons.map((c) => c.levels.map((l) => levelLabel(l.when))),
    };
    tablesOf.set(model, tables);
  }
  return tables;
}

/** A level's weight including any term-frequency adjustment, and the adjustment. */
function adjustedWeight(
  model: FellegiSunterModel,
  tables: ModelTables,
  index: number,
  level: number,
  left: MatchRecord | undefined,
  right: MatchRecord | undefined,
  options: ScoreOptions,
): { weight: number; tfAdjustment: number | undefined } {
  const comparison = model.comparisons[index]!;
  const params = comparison.levels[level]!;
  let weight = tables.weights[index]![level]!;
  let tfAdjustment: number | undefined;
  if (comparison.termFrequency && params.when.type === 'exact' && left && right) {
    const tfU = termFrequencyU(
      left.values[comparison.attribute],
      right.values[comparison.attribute],
      options.termFrequencies?.[comparison.attribute],
      options.minimumTermFrequency ?? DEFAULT_MINIMUM_TERM_FREQUENCY,
    );
    if (tfU !== null) {
      tfAdjustment = Math.log2(params.u / tfU);
      weight += tfAdjustment;
    }
  }
  return { weight, tfAdjustment };
}

/**
 * The weight one comparison's level adds to a pair's match weight, with any term-frequency
 * adjustment: one term of {@link vectorWeight}'s sum.
 */
export function comparisonWeight(
  model: FellegiSunterModel,
  index: number,
  level: number,
  left: MatchRecord,
  right: MatchRecord,
  options: ScoreOptions = {},
): number {
  if (level === MISSING_LEVEL) return 0;
  return adjustedWeight(model, modelTables(model), index, level, left, right, options).weight;
}

/**
 * The most one comparison can add to a pair's match weight (never less than 0, the missing level):
 * its best level, with the largest term-frequency adjustment the tables allow.
 */
export function maximumComparisonWeight(
  model: FellegiSunterModel,
  index: number,
  options: ScoreOptions = {},
): number {
  const comparison = model.comparisons[index]!;
  const weights = modelTables(model).weights[index]!;
  let best = Math.max(0, ...weights);
  const table = options.termFrequencies?.[comparison.attribute];
  if (comparison.termFrequency && table && table.size > 0) {
    // termFrequencyU takes the commoner value's share, floored: never below the rarest share.
    const rarest = Math.max(
      Math.min(...table.values()),
      options.minimumTermFrequency ?? DEFAULT_MINIMUM_TERM_FREQUENCY,
    );
    comparison.levels.forEach((level, l) => {
      if (level.when.type === 'exact')
        best = Math.max(best, weights[l]! + Math.log2(level.u / rarest));
    });
  }
  return best;
}

/**
 * The match weight of a precomputed comparison vector: the same sum {@link scoreVector} makes, in
 * the same order, without building the explanation (a decision needs only this; most candidate
 * pairs are not linked).
 */
export function vectorWeight(
  model: FellegiSunterModel,
  vector: readonly number[],
  left?: MatchRecord,
  right?: MatchRecord,
  options: ScoreOptions = {},
): number {
  const tables = modelTables(model);
  let total = tables.prior;
  for (let index = 0; index < model.comparisons.length; index += 1) {
    const level = vector[index] ?? MISSING_LEVEL;
    if (level === MISSING_LEVEL) continue;
    total += adjustedWeight(model, tables, index, level, left, right, options).weight;
  }
  return total;
}

/**
 * Explains a precomputed comparison vector (level index per comparison, in model order). Splitting
 * this from {@link scorePair} lets training and batch evaluation compute vectors once.
 */
export function scoreVector(
  model: FellegiSunterModel,
  vector: readonly number[],
  left?: MatchRecord,
  right?: MatchRecord,
  options: ScoreOptions = {},
): PairScore {
  const tables = modelTables(model);
  let total = tables.prior;
  const explanations: ComparisonExplanation[] = [];
  model.comparisons.forEach((comparison, index) => {
    const level = vector[index] ?? MISSING_LEVEL;
    const params = level === MISSING_LEVEL ? undefined : comparison.levels[level];
    if (params === undefined) {
      explanations.push({
        comparison: comparison.name,
        attribute: comparison.attribute,
        level: MISSING_LEVEL,
        label: 'missing',
        m: null,
        u: null,
        weight: 0,
      });
      return;
    }
    const { weight, tfAdjustment } = adjustedWeight(
      model,
      tables,
      index,
      level,
      left,
      right,
      options,
    );
    total += weight;
    explanations.push({
      comparison: comparison.name,
      attribute: comparison.attribute,
      level,
      label: tables.labels[index]![level]!,
      m: params.m,
      u: params.u,
      weight,
      ...(tfAdjustment === undefined ? {} : { tfAdjustment }),
    });
  });
  return {
    modelVersion: model.version,
    matchWeight: total,
    probability: probabilityFromWeight(total),
    priorWeight: tables.prior,
    vector: explanations,
  };
}

/**
 * Compares two normalised records and explains the result. Symmetric in its arguments; the same
 * result whatever the evaluator's memo holds.
 */
export function scorePair(
  model: FellegiSunterModel,
  left: MatchRecord,
  right: MatchRecord,
  evaluator: Pick<LevelEvaluator, 'comparisonVector'>,
  options: ScoreOptions = {},
): PairScore {
  const vector = evaluator.comparisonVector(model.comparisons, left, right);
  return scoreVector(model, vector, left, right, options);
}

/**
 * Share of records holding each value of each given attribute (missing values are not counted).
 * The service would build this from the graph; batch evaluation builds it from the input.
 */
export function buildTermFrequencies(
  records: readonly MatchRecord[],
  attributes: readonly string[],
): TermFrequencies {
  const tables: Record<string, TermTable> = {};
  for (const attribute of attributes) {
    const { counts, present } = valueCounts(records, attribute);
    const shares = new Map<string, number>();
    for (const [value, count] of counts) shares.set(value, count / present);
    tables[attribute] = shares;
  }
  return tables;
}

/** How many records hold each value of an attribute, and how many hold any value. */
export function valueCounts(
  records: readonly MatchRecord[],
  attribute: string,
): { counts: Map<string, number>; present: number } {
  const counts = new Map<string, number>();
  let present = 0;
  for (const record of records) {
    const value = record.values[attribute];
    if (value == null) continue;
    present += 1;
    counts.set(value, (counts.get(value) ?? 0) + 1);
  }
  return { counts, present };
}

/** Attributes of the model's term-frequency comparisons. */
export function termFrequencyAttributes(model: FellegiSunterModel): string[] {
  return [...new Set(model.comparisons.filter((c) => c.termFrequency).map((c) => c.attribute))];
}
