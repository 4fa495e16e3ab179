import {
  type ComparisonDefinition,
  type ComparisonLevel,
  DEFAULT_STREET_MIN,
  type LevelPredicate,
  MISSING_LEVEL,
} from './comparison-levels.js';
import type { MatchRecord } from '../records/normalize-attributes.js';
import type { ValueMemo } from '../records/value-memo.js';
import {
  commonCharacters,
  editDistanceLowerBound,
  jaroWinklerUpperBound,
} from './similarity-bounds.js';
import {
  ADDRESS_DWELLING,
  ADDRESS_PLACE,
  ADDRESS_STREET,
  addressAgreement,
  damerauLevenshteinDistance,
  dayMonthSwapped,
  daysApart,
  jaroWinklerSimilarity,
  levenshteinDistance,
  phoneticEqual,
  yearsApart,
} from './similarity-measures.js';

/**
 * Level evaluation: the index of the first level of a comparison whose predicate holds for two
 * values. It runs for every pair the matcher scores and for every pair u is estimated from, so the
 * levels are compiled into typed arrays once and the evaluation reads only those.
 */

/**
 * A comparison's levels as the loops that evaluate them read them: a kind code and a number per
 * level, in typed arrays. The predicates themselves are objects of six shapes (`{type}`,
 * `{type, min}`, `{type, max}`, ...): reading `when.type` from all of them would make every
 * property read in the evaluation megamorphic, in the loops that evaluate levels most often.
 * Compiled once per levels array.
 */
export interface CompiledLevels {
  /** The kind of each level (EXACT ... ELSE below). */
  readonly kinds: Uint8Array;
  /**
   * The level's bound: `min` (jaroWinkler), `max` (edits), `days`, `years` or `streetMin`
   * (address); 0 for none.
   */
  readonly limits: Float64Array;
  /** The other attribute of a `swapped` level; null for every other level. */
  readonly withs: readonly (string | null)[];
}

// The kinds in CompiledLevels.kinds: plain numbers, so the evaluation switches on small integers.
const EXACT = 0;
const JARO_WINKLER = 1;
const PHONETIC = 2;
const LEVENSHTEIN = 3;
const DAMERAU_LEVENSHTEIN = 4;
const DAY_MONTH_SWAP = 5;
const DATE_WITHIN_DAYS = 6;
const YEAR_WITHIN = 7;
const SWAPPED = 8;
const ELSE = 9;
// An address level's kind says how much of the address must agree: the agreement it asks for on
// addressAgreement's scale is the kind minus ADDRESS_KINDS.
const ADDRESS_KINDS = 10;
const ADDRESS_PLACE_KIND = ADDRESS_KINDS + ADDRESS_PLACE;
const ADDRESS_STREET_KIND = ADDRESS_KINDS + ADDRESS_STREET;
const ADDRESS_DWELLING_KIND = ADDRESS_KINDS + ADDRESS_DWELLING;

const KIND_OF: Readonly<Record<Exclude<LevelPredicate['type'], 'address'>, number>> = {
  exact: EXACT,
  jaroWinkler: JARO_WINKLER,
  phonetic: PHONETIC,
  levenshtein: LEVENSHTEIN,
  damerauLevenshtein: DAMERAU_LEVENSHTEIN,
  dayMonthSwap: DAY_MONTH_SWAP,
  dateWithinDays: DATE_WITHIN_DAYS,
  yearWithin: YEAR_WITHIN,
  swapped: SWAPPED,
  else: ELSE,
};

const ADDRESS_KIND_OF = {
  place: ADDRESS_PLACE_KIND,
  street: ADDRESS_STREET_KIND,
  dwelling: ADDRESS_DWELLING_KIND,
} as const;

function kindOf(when: LevelPredicate): number {
  return when.type === 'address' ? ADDRESS_KIND_OF[when.match] : KIND_OF[when.type];
}

/** What a predicate compares against: its `min`, `max`, `days`, `years` or `streetMin`; 0 for none. */
function limitOf(when: LevelPredicate): number {
  switch (when.type) {
    case 'jaroWinkler':
      return when.min;
    case 'levenshtein':
    case 'damerauLevenshtein':
      return when.max;
    case 'dateWithinDays':
      return when.days;
    case 'yearWithin':
      return when.years;
    case 'swapped':
      return when.min ?? 0;
    case 'address':
      return when.streetMin ?? DEFAULT_STREET_MIN;
    default:
      return 0;
  }
}

const compiledLevels = new WeakMap<readonly ComparisonLevel[], CompiledLevels>();

/**
 * `levels` compiled for {@link LevelEvaluator.evaluateCompiledLevels}; the same object for the same
 * array (the definitions are immutable, and the entry goes with the array).
 */
export function compileLevels(levels: readonly ComparisonLevel[]): CompiledLevels {
  let compiled = compiledLevels.get(levels);
  if (compiled) return compiled;
  const kinds = new Uint8Array(levels.length);
  const limits = new Float64Array(levels.length);
  const withs: (string | null)[] = [];
  levels.forEach(({ when }, index) => {
    kinds[index] = kindOf(when);
    limits[index] = limitOf(when);
    withs.push(when.type === 'swapped' ? when.with : null);
  });
  compiled = { kinds, limits, withs };
  compiledLevels.set(levels, compiled);
  return compiled;
}

/**
 * A level evaluator reading derived values through `memo`. Made once per run (the record matcher,
 * a u estimate on one thread, a training), so the memo is handed over once and the calls made for
 * every pair carry only the pair.
 */
export function createLevelEvaluator(
  memo: Pick<ValueMemo, 'phoneticCodes' | 'dateParts' | 'addressParts'>,
): LevelEvaluator {
  return new LevelEvaluator(memo);
}

/**
 * Evaluates comparison levels for the pairs of one matching run, with that run's {@link ValueMemo}.
 * A class rather than closures made per evaluator: every evaluator then shares the same methods, so
 * the calls made for every pair (here and into the memo) stay monomorphic however many runs a
 * process makes.
 */
export class LevelEvaluator {
  constructor(
    private readonly memo: Pick<ValueMemo, 'phoneticCodes' | 'dateParts' | 'addressParts'>,
  ) {}

  /**
   * The index of the first of a comparison's `levels` that holds for two present values (the last
   * one, `else`, when none does). Loops over many pairs compile the levels once and call
   * {@link LevelEvaluator.evaluateCompiledLevels}.
   */
  evaluateLevels(
    levels: readonly ComparisonLevel[],
    a: string,
    b: string,
    left: MatchRecord,
    right: MatchRecord,
  ): number {
    return this.evaluateCompiledLevels(compileLevels(levels), a, b, left, right);
  }

  /**
   * {@link LevelEvaluator.evaluateLevels} on levels compiled by {@link compileLevels}. `common` is
   * an upper bound on the characters the two values share (`commonCharactersBound` of their
   * signatures) when the caller has one, -1 otherwise.
   *
   * Similarities, their bounds and the common-character count are computed lazily and at most once
   * per pair, because several levels of a comparison often ask for the same measure; this runs for
   * every candidate pair, so it keeps them in locals rather than in an object per pair.
   */
  evaluateCompiledLevels(
    levels: CompiledLevels,
    a: string,
    b: string,
    left: MatchRecord,
    right: MatchRecord,
    common = -1,
  ): number {
    const { kinds, limits } = levels;
    let shared = common;
    let jw = -1;
    let jwBound = -1;
    let lev = -1;
    let dl = -1;
    let editBound = -1;
    // addressAgreement of the pair, for the street similarity `agreementMin`: computed once, as
    // the street levels of a comparison share their minimum (and `place` holds whatever it is).
    let agreement = -1;
    let agreementMin = -1;
    for (let index = 0; index < kinds.length; index += 1) {
      const kind = kinds[index];
      const limit = limits[index]!;
      switch (kind) {
        case EXACT:
          if (a === b) return index;
          break;
        // A similarity's bound settles most pairs that cannot reach a level, without the library;
        // the similarity itself is computed only for a pair its bound cannot rule out. Once
        // computed, the similarity decides (the bound is exact only up to rounding).
        case JARO_WINKLER:
          if (jw < 0) {
            if (jwBound < 0) {
              if (shared < 0) shared = commonCharacters(a, b);
              jwBound = jaroWinklerUpperBound(a, b, shared);
            }
            if (jwBound < limit) break;
            jw = jaroWinklerSimilarity(a, b);
          }
          if (jw >= limit) return index;
          break;
        case PHONETIC:
          if (phoneticEqual(a, b, this.memo)) return index;
          break;
        case LEVENSHTEIN:
        case DAMERAU_LEVENSHTEIN:
          if (editBound < 0) {
            if (shared < 0) shared = commonCharacters(a, b);
            editBound = editDistanceLowerBound(a, b, shared);
          }
          // Whole numbers: a distance is never below its bound.
          if (editBound > limit) break;
          if (kind === LEVENSHTEIN) {
            if (lev < 0) lev = levenshteinDistance(a, b);
            if (lev <= limit) return index;
          } else {
            if (dl < 0) dl = damerauLevenshteinDistance(a, b);
            if (dl <= limit) return index;
          }
          break;
        case DAY_MONTH_SWAP:
          if (dayMonthSwapped(a, b, this.memo)) return index;
          break;
        case DATE_WITHIN_DAYS: {
          const days = daysApart(a, b, this.memo);
          if (days !== null && days <= limit) return index;
          break;
        }
        case YEAR_WITHIN: {
          const years = yearsApart(a, b, this.memo);
          if (years !== null && years <= limit) return index;
          break;
        }
        case SWAPPED: {
          const other = levels.withs[index]!;
          const otherLeft = left.values[other];
          const otherRight = right.values[other];
          if (otherLeft == null || otherRight == null || a === b) break;
          if (a === otherRight && b === otherLeft) return index;
          if (
            limit > 0 &&
            jaroWinklerSimilarity(a, otherRight) >= limit &&
            jaroWinklerSimilarity(b, otherLeft) >= limit
          )
            return index;
          break;
        }
        case ADDRESS_PLACE_KIND:
        case ADDRESS_STREET_KIND:
        case ADDRESS_DWELLING_KIND:
          if (agreement < 0 || (kind !== ADDRESS_PLACE_KIND && agreementMin !== limit)) {
            agreement = addressAgreement(a, b, limit, this.memo);
            agreementMin = limit;
          }
          if (agreement >= kind - ADDRESS_KINDS) return index;
          break;
        case ELSE:
          return index;
      }
    }
    return kinds.length - 1;
  }

  /**
   * The level index of `comparison` for a pair, or {@link MISSING_LEVEL}. Symmetric in its
   * arguments for every built-in predicate.
   */
  compareAttribute(
    comparison: ComparisonDefinition,
    left: MatchRecord,
    right: MatchRecord,
  ): number {
    const a = left.values[comparison.attribute];
    const b = right.values[comparison.attribute];
    if (a == null || b == null) return MISSING_LEVEL;
    return this.evaluateCompiledLevels(compileLevels(comparison.levels), a, b, left, right);
  }

  /** One level index per comparison, in model order. */
  comparisonVector(
    comparisons: readonly ComparisonDefinition[],
    left: MatchRecord,
    right: MatchRecord,
  ): number[] {
    return comparisons.map((comparison) => this.compareAttribute(comparison, left, right));
  }
}
