import { type BlockingRule, generateCandidatePairs, totalPairs } from '../records/blocking.js';
import {
  commonCharactersBound,
  type ComparisonDefinition,
  type CompiledLevels,
  compileLevels,
  comparisonVector,
  levelOf,
  MISSING_LEVEL,
  SIGNATURE_WORDS,
  writeCharacterSignature,
} from '../scoring/comparisons.js';
import type { FellegiSunterModel, ModelComparison } from '../scoring/fellegi-sunter.js';
import type { MatchRecord } from '../records/normalize-attributes.js';

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

/** mulberry32: a small, fast, seeded PRNG in [0, 1). Not for cryptography. */
export function createRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type MatchMode = 'dedupe' | 'link';

export interface UEstimate {
  /** Per comparison, per level. */
  readonly u: number[][];
  readonly pairs: number;
}

/** Level counts of some of the pairs u is estimated from (one chunk, see {@link countUChunk}). */
export interface UCounts {
  /** Per comparison, per level: pairs at that level (missing values not counted). */
  readonly counts: number[][];
  readonly pairs: number;
}

/**
 * The pairs for u are drawn in this many chunks, each from its own seed, so the estimate is the
 * same whether the chunks run one after another ({@link estimateU}) or on several threads
 * (src/matching/parallel-u.ts).
 */
export const U_CHUNKS = 8;

/** Seed of chunk `chunk`: distinct streams from one seed (golden-ratio increments). */
function chunkSeed(seed: number, chunk: number): number {
  return (seed + Math.imul(chunk + 1, 0x9e3779b9)) >>> 0;
}

export interface UOptions {
  readonly mode: MatchMode;
  readonly maxPairs?: number;
  readonly seed?: number;
}

/**
 * Chunk `chunk` of `chunks` of the pairs u is estimated from: `maxPairs / chunks` pairs drawn at
 * random (uniformly, with replacement; in `link` mode only across sources) from the chunk's own
 * seed, or, when `maxPairs` covers the whole comparison space, every pair whose first record's
 * index is `chunk` modulo `chunks`.
 */
export function countUChunk(
  records: readonly MatchRecord[],
  comparisons: readonly ComparisonDefinition[],
  options: UOptions,
  chunk: number,
  chunks: number,
  columns: readonly UColumn[] = uColumns(records, comparisons),
): UCounts {
  const counts = comparisons.map((c) => new Float64Array(c.levels.length));
  const nextPairs = chunkPairs(records, options, chunk, chunks);
  const left = new Int32Array(PAIR_BLOCK);
  const right = new Int32Array(PAIR_BLOCK);
  let pairs = 0;
  // The pairs come a block at a time, and each block is counted one comparison at a time rather
  // than one pair at a time over all the comparisons: the loop stays on one attribute's column and
  // one set of levels, which took a third off the time of a million pairs (docs/benchmarks.md).
  // No vector per pair, just counts; a block bounds the memory whatever the number of pairs.
  for (let size = nextPairs(left, right); size > 0; size = nextPairs(left, right)) {
    pairs += size;
    columns.forEach(({ compiled, values, signatures }, c) => {
      const levelCounts = counts[c]!;
      for (let pair = 0; pair < size; pair += 1) {
        const i = left[pair]!;
        const j = right[pair]!;
        const a = values[i];
        const b = values[j];
        if (a == null || b == null) continue;
        const common =
          signatures === undefined
            ? -1
            : commonCharactersBound(signatures, i * SIGNATURE_WORDS, j * SIGNATURE_WORDS);
        levelCounts[levelOf(compiled, a, b, records[i]!, records[j]!, common)]! += 1;
      }
    });
  }
  return { counts: counts.map((levels) => [...levels]), pairs };
}

/** One comparison's view of the records, for {@link countUChunk}. */
export interface UColumn {
  readonly compiled: CompiledLevels;
  /** The attribute's value of each record, by record index. */
  readonly values: readonly (string | null)[];
  /** {@link SIGNATURE_WORDS} words per record, when a level has a character bound. */
  readonly signatures: Int32Array | undefined;
}

/**
 * The columns {@link countUChunk} reads, built once per estimate (or per thread) rather than per
 * chunk: each value meets some 400 others, and its character signature, computed once, spares
 * the similarity bounds reading both strings for every pair.
 */
export function uColumns(
  records: readonly MatchRecord[],
  comparisons: readonly ComparisonDefinition[],
): UColumn[] {
  return comparisons.map((comparison) => {
    const values = records.map((record) => record.values[comparison.attribute] ?? null);
    const signatures = comparison.levels.some((level) => BOUNDED_LEVELS.has(level.when.type))
      ? columnSignatures(values)
      : undefined;
    return { compiled: compileLevels(comparison.levels), values, signatures };
  });
}

/** Pairs per block of {@link countUChunk}: 512 KiB of indexes. */
const PAIR_BLOCK = 1 << 16;

/** Levels whose predicate has a bound from the characters two values share. */
const BOUNDED_LEVELS: ReadonlySet<string> = new Set([
  'jaroWinkler',
  'levenshtein',
  'damerauLevenshtein',
]);

/** The character signature of each value of a column, {@link SIGNATURE_WORDS} words apiece. */
function columnSignatures(column: readonly (string | null)[]): Int32Array {
  const signatures = new Int32Array(column.length * SIGNATURE_WORDS);
  column.forEach((value, i) => {
    if (value != null) writeCharacterSignature(value, signatures, i * SIGNATURE_WORDS);
  });
  return signatures;
}

/**
 * The record index pairs of chunk `chunk` of `chunks` (see {@link countUChunk}), in order: each
 * call fills `left` and `right` with the next ones and says how many (0 when there are no more).
 */
function chunkPairs(
  records: readonly MatchRecord[],
  options: UOptions,
  chunk: number,
  chunks: number,
): (left: Int32Array, right: Int32Array) => number {
  const maxPairs = options.maxPairs ?? 1_000_000;
  const link = options.mode === 'link';
  const n = records.length;
  const across = (i: number, j: number): boolean =>
    !link || records[i]!.source !== records[j]!.source;
  if (totalPairs(records, options.mode) <= maxPairs) {
    let i = chunk;
    let j = i + 1;
    return (left, right) => {
      let size = 0;
      while (i < n && size < left.length) {
        if (j >= n) {
          i += chunks;
          j = i + 1;
          continue;
        }
        if (across(i, j)) {
          left[size] = i;
          right[size] = j;
          size += 1;
        }
        j += 1;
      }
      return size;
    };
  }
  let wanted = Math.floor(maxPairs / chunks) + (chunk < maxPairs % chunks ? 1 : 0);
  const random = createRandom(chunkSeed(options.seed ?? 1, chunk));
  return (left, right) => {
    let size = 0;
    while (size < left.length && wanted > 0) {
      const i = Math.floor(random() * n);
      const j = Math.floor(random() * n);
      if (i === j || !across(i, j)) continue;
      left[size] = i;
      right[size] = j;
      size += 1;
      wanted -= 1;
    }
    return size;
  };
}

/**
 * u from the chunks' counts: the share of each level among the pairs where the attribute is
 * present. A level never seen gets 1 / (pairs compared), an upper bound that keeps its weight
 * finite. Counts are whole numbers, so the sum does not depend on the order of the chunks.
 */
export function uFromCounts(parts: readonly UCounts[]): UEstimate {
  const [first] = parts;
  if (!first) throw new Error('uFromCounts needs at least one chunk');
  const counts = first.counts.map((levels, c) =>
    levels.map((_, level) => parts.reduce((sum, part) => sum + part.counts[c]![level]!, 0)),
  );
  const u = counts.map((levelCounts) => {
    const present = levelCounts.reduce((sum, c) => sum + c, 0);
    return levelCounts.map((c) =>
      present === 0 ? 1 / levelCounts.length : Math.max(c, 1) / present,
    );
  });
  return { u, pairs: parts.reduce((sum, part) => sum + part.pairs, 0) };
}

/** u from random pairs (see {@link countUChunk}), every chunk on this thread. */
export function estimateU(
  records: readonly MatchRecord[],
  comparisons: readonly ComparisonDefinition[],
  options: UOptions,
): UEstimate {
  const columns = uColumns(records, comparisons);
  return uFromCounts(
    Array.from({ length: U_CHUNKS }, (_, chunk) =>
      countUChunk(records, comparisons, options, chunk, U_CHUNKS, columns),
    ),
  );
}

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
   * several threads, src/matching/parallel-u.ts); estimated here when absent.
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
      comparisonVector(model.comparisons, records[p.left]!, records[p.right]!),
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
