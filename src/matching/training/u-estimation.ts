import { type MatchMode, totalPairs } from '../records/blocking.js';
import type { MatchRecord } from '../records/normalize-attributes.js';
import { createValueMemo } from '../records/value-memo.js';
import type { ComparisonDefinition } from '../scoring/comparison-levels.js';
import {
  compileLevels,
  type CompiledLevels,
  createLevelEvaluator,
  type LevelEvaluator,
} from '../scoring/level-evaluation.js';
import {
  commonCharactersBound,
  SIGNATURE_WORDS,
  writeCharacterSignature,
} from '../scoring/similarity-bounds.js';
import { createRandom } from './random-source.js';

/**
 * u, the probability of each comparison level among non-matches, from random pairs: nearly every
 * pair drawn at random is a non-match. The pairs are drawn in chunks, each from its own seed, so
 * the estimate depends only on the records, the comparisons and the options, whichever thread
 * counts which chunk (parallel-u.ts).
 */

export interface UEstimate {
  /** Per comparison, per level. */
  readonly u: number[][];
  readonly pairs: number;
}

/** Level counts of some of the pairs u is estimated from (one chunk, see {@link UChunkCounter}). */
export interface UCounts {
  /** Per comparison, per level: pairs at that level (missing values not counted). */
  readonly counts: number[][];
  readonly pairs: number;
}

/**
 * The pairs for u are drawn in this many chunks, each from its own seed, so the estimate is the
 * same whether the chunks run one after another ({@link estimateU}) or on several threads
 * (parallel-u.ts).
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

/** Counts the chunks of one u estimate on one thread (see {@link createUChunkCounter}). */
export interface UChunkCounter {
  /**
   * Chunk `chunk` of `chunks` of the pairs u is estimated from: `maxPairs / chunks` pairs drawn at
   * random (uniformly, with replacement; in `link` mode only across sources) from the chunk's own
   * seed, or, when `maxPairs` covers the whole comparison space, every pair whose first record's
   * index is `chunk` modulo `chunks`.
   */
  count(chunk: number, chunks: number): UCounts;
}

/**
 * A counter of u chunks, made once per estimate on each thread. It builds the columns the counting
 * reads once rather than per chunk (each value meets hundreds of others, and its character
 * signature, computed once, spares the similarity bounds reading both strings for every pair), and
 * the value memo of its run, which goes when the counter does.
 */
export function createUChunkCounter(
  records: readonly MatchRecord[],
  comparisons: readonly ComparisonDefinition[],
  options: UOptions,
): UChunkCounter {
  const run: UCountingRun = {
    records,
    comparisons,
    options,
    columns: uColumns(records, comparisons),
    evaluator: createLevelEvaluator(createValueMemo()),
  };
  return { count: (chunk, chunks) => countChunk(run, chunk, chunks) };
}

/** What every chunk of one counter reads. */
interface UCountingRun {
  readonly records: readonly MatchRecord[];
  readonly comparisons: readonly ComparisonDefinition[];
  readonly options: UOptions;
  readonly columns: readonly UColumn[];
  readonly evaluator: Pick<LevelEvaluator, 'evaluateCompiledLevels'>;
}

function countChunk(run: UCountingRun, chunk: number, chunks: number): UCounts {
  const { records, columns, evaluator } = run;
  const counts = run.comparisons.map((c) => new Float64Array(c.levels.length));
  const nextPairs = chunkPairs(records, run.options, chunk, chunks);
  const left = new Int32Array(PAIR_BLOCK);
  const right = new Int32Array(PAIR_BLOCK);
  let pairs = 0;
  // The pairs come a block at a time, and each block is counted one comparison at a time rather
  // than one pair at a time over all the comparisons: the loop stays on one attribute's column and
  // one set of levels. No vector per pair, just counts; a block bounds the memory whatever the
  // number of pairs.
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
        const level = evaluator.evaluateCompiledLevels(
          compiled,
          a,
          b,
          records[i]!,
          records[j]!,
          common,
        );
        levelCounts[level]! += 1;
      }
    });
  }
  return { counts: counts.map((levels) => [...levels]), pairs };
}

/** One comparison's view of the records, for {@link UChunkCounter}. */
interface UColumn {
  readonly compiled: CompiledLevels;
  /** The attribute's value of each record, by record index. */
  readonly values: readonly (string | null)[];
  /** {@link SIGNATURE_WORDS} words per record, when a level has a character bound. */
  readonly signatures: Int32Array | undefined;
}

function uColumns(
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

/** Pairs per block of {@link UChunkCounter.count}: 512 KiB of indexes. */
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
 * The record index pairs of chunk `chunk` of `chunks` (see {@link UChunkCounter}), in order: each
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

/** u from random pairs (see {@link UChunkCounter}), every chunk on this thread. */
export function estimateU(
  records: readonly MatchRecord[],
  comparisons: readonly ComparisonDefinition[],
  options: UOptions,
): UEstimate {
  const counter = createUChunkCounter(records, comparisons, options);
  return uFromCounts(
    Array.from({ length: U_CHUNKS }, (_, chunk) => counter.count(chunk, U_CHUNKS)),
  );
}
