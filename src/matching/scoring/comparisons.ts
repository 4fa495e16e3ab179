import { doubleMetaphone } from 'double-metaphone';
import { distance as levenshtein } from 'fastest-levenshtein';
import damerauLevenshtein from 'talisman/metrics/damerau-levenshtein.js';
import jaroWinkler from 'talisman/metrics/jaro-winkler.js';
import { type DateParts, type MatchRecord, parseIsoDate } from '../records/normalize-attributes.js';

/**
 * Comparison levels. A comparison looks at one attribute of two records and returns the index of
 * the first level whose predicate holds; the last level is always `else`. When either value is
 * missing the result is {@link MISSING_LEVEL}, which carries no weight in the model.
 *
 * Levels are data (not closures) so that a model file can carry them and the explanation can
 * name them. String similarity is Jaro–Winkler as in Winkler (1990) with the usual 0.1 prefix
 * scale and 0.7 boost threshold (talisman), which gives the same numbers as DuckDB's
 * `jaro_winkler_similarity` that Splink uses, so thresholds carry over.
 */

export type LevelPredicate =
  /** Values equal after normalisation. */
  | { readonly type: 'exact' }
  /** Jaro–Winkler similarity at least `min` (0..1). */
  | { readonly type: 'jaroWinkler'; readonly min: number }
  /** Same double metaphone code (primary or alternate on either side). */
  | { readonly type: 'phonetic' }
  /** Levenshtein distance at most `max` (a one-character typo is `max: 1`). */
  | { readonly type: 'levenshtein'; readonly max: number }
  /** Optimal-string-alignment distance at most `max`: like Levenshtein, a transposition costs 1. */
  | { readonly type: 'damerauLevenshtein'; readonly max: number }
  /** Dates (`YYYY-MM-DD`) with the same year and day and month swapped. */
  | { readonly type: 'dayMonthSwap' }
  /** Real calendar dates at most `days` apart. */
  | { readonly type: 'dateWithinDays'; readonly days: number }
  /** Dates whose years differ by at most `years`. */
  | { readonly type: 'yearWithin'; readonly years: number }
  /** This attribute equals the other record's `with` attribute and vice versa (e.g. names swapped). */
  | { readonly type: 'swapped'; readonly with: string }
  /** Everything else; must be the last level. */
  | { readonly type: 'else' };

export interface ComparisonLevel {
  readonly when: LevelPredicate;
}

export interface ComparisonDefinition<L extends ComparisonLevel = ComparisonLevel> {
  /** Unique within a model; names the comparison in explanations and model files. */
  readonly name: string;
  readonly attribute: string;
  /** Ordered, most similar first, ending with `{ when: { type: 'else' } }`. */
  readonly levels: readonly L[];
  /**
   * Term-frequency adjustment on the `exact` level: a match on a rare value counts for more than a
   * match on a common one. Only meaningful for attributes with skewed values (names, postcodes).
   */
  readonly termFrequency?: boolean;
}

/** Returned when either value is missing: contributes weight 0. */
export const MISSING_LEVEL = -1;

/** Human-readable name of a level, used in explanations. */
export function levelLabel(when: LevelPredicate): string {
  switch (when.type) {
    case 'exact':
      return 'exact';
    case 'jaroWinkler':
      return `jaro_winkler>=${when.min}`;
    case 'phonetic':
      return 'double_metaphone';
    case 'levenshtein':
      return `levenshtein<=${when.max}`;
    case 'damerauLevenshtein':
      return `damerau_levenshtein<=${when.max}`;
    case 'dayMonthSwap':
      return 'day_month_swap';
    case 'dateWithinDays':
      return `within_${when.days}_days`;
    case 'yearWithin':
      return `year_within_${when.years}`;
    case 'swapped':
      return `swapped_with_${when.with}`;
    case 'else':
      return 'else';
  }
}

const PHONETIC_CACHE_LIMIT = 100_000;
const phoneticCache = new Map<string, readonly [string, string]>();

/**
 * Empties the memos of this module (phonetic codes and parsed dates, keyed by the values). They hold
 * names and birth dates, so a long-running process empties them on a clock, as its candidate cache
 * expires entries: the values of an erased record then leave its memory in bounded time
 * (src/runtime.ts).
 */
export function forgetMemoisedValues(): void {
  phoneticCache.clear();
  dateCache.clear();
}

/** How many values the memos hold (for tests and diagnostics). */
export function memoisedValues(): number {
  return phoneticCache.size + dateCache.size;
}

/** Double metaphone codes of a normalised value, memoised (values repeat a lot across pairs). */
export function phoneticCodes(value: string): readonly [string, string] {
  let codes = phoneticCache.get(value);
  if (codes === undefined) {
    if (phoneticCache.size >= PHONETIC_CACHE_LIMIT) phoneticCache.clear();
    codes = doubleMetaphone(value);
    phoneticCache.set(value, codes);
  }
  return codes;
}

export function phoneticEqual(a: string, b: string): boolean {
  const [pa, sa] = phoneticCodes(a);
  const [pb, sb] = phoneticCodes(b);
  if (pa === '' || pb === '') return false;
  return pa === pb || pa === sb || sa === pb || sa === sb;
}

export function jaroWinklerSimilarity(a: string, b: string): number {
  return jaroWinkler(a, b);
}

export function levenshteinDistance(a: string, b: string): number {
  return levenshtein(a, b);
}

export function damerauLevenshteinDistance(a: string, b: string): number {
  return damerauLevenshtein(a, b);
}

/*
 * Cheap bounds that let a comparison skip the similarity library for pairs that cannot reach a
 * level: most pairs scored while training (u from a million random pairs) share few characters.
 * Both come from the characters the two strings have in common (as multisets); the measures
 * themselves are always the libraries'.
 */
const charCounts = new Int32Array(65_536);

/** Characters the two strings have in common, counted as multisets. */
function commonCharacters(a: string, b: string): number {
  for (let i = 0; i < a.length; i += 1) charCounts[a.charCodeAt(i)]! += 1;
  let common = 0;
  for (let i = 0; i < b.length; i += 1) {
    const c = b.charCodeAt(i);
    if (charCounts[c]! > 0) {
      charCounts[c]! -= 1;
      common += 1;
    }
  }
  for (let i = 0; i < a.length; i += 1) charCounts[a.charCodeAt(i)] = 0;
  return common;
}

/**
 * An upper bound on {@link jaroWinklerSimilarity}: Jaro counts matches only among common
 * characters and transpositions only lower it, and the prefix bonus (at most 4 characters, 0.1
 * each) is added whatever the boost threshold. `common` is {@link commonCharacters} or an upper
 * bound on it ({@link commonCharactersBound}).
 */
export function jaroWinklerUpperBound(
  a: string,
  b: string,
  common: number = commonCharacters(a, b),
): number {
  if (a === b) return 1;
  if (a.length === 0 || b.length === 0) return 0;
  const m = Math.min(common, a.length, b.length);
  if (m === 0) return 0;
  const jaro = (m / a.length + m / b.length + 1) / 3;
  let prefix = 0;
  while (prefix < 4 && prefix < a.length && prefix < b.length && a[prefix] === b[prefix])
    prefix += 1;
  return jaro + prefix * 0.1 * (1 - jaro);
}

/**
 * A lower bound on the Levenshtein and optimal-string-alignment distances: every character of one
 * string that the other lacks needs an edit of its own (a transposition moves characters but
 * supplies none). `common` as for {@link jaroWinklerUpperBound}.
 */
export function editDistanceLowerBound(
  a: string,
  b: string,
  common: number = commonCharacters(a, b),
): number {
  return Math.max(a.length, b.length) - common;
}

/*
 * Character signatures: the common-character count above without reading the strings, for code
 * that compares the same values many times (u from a million random pairs compares each record's
 * values some 400 times). A value's characters fall into 64 classes (letters, space, digits and a
 * few marks each their own; anything else shares one of 22); the signature holds, for k = 1..3,
 * the set of classes occurring at least k times, as two 32-bit words, and what lies beyond three
 * occurrences as a count. The sizes of the intersections summed over k are the multiset
 * intersection of the classes: exact where no two characters share a class, and never less than
 * the characters' (merging two classes cannot lower a sum of minimums), so a bound computed from
 * it stays a bound.
 */

/** Int32 words per signature (see {@link writeCharacterSignature}). */
export const SIGNATURE_WORDS = 7;

const classCounts = new Int32Array(64);

function characterClass(code: number): number {
  if (code >= 97 && code <= 122) return code - 97;
  if (code >= 48 && code <= 57) return code - 16; // 32..41
  switch (code) {
    case 32:
      return 26;
    case 45: // -
      return 27;
    case 46: // .
      return 28;
    case 39: // '
      return 29;
    case 47: // /
      return 30;
    case 44: // ,
      return 31;
    default:
      return 42 + (code % 22);
  }
}

/** Writes `value`'s signature into `into` at `offset` ({@link SIGNATURE_WORDS} words). */
export function writeCharacterSignature(value: string, into: Int32Array, offset: number): void {
  for (let i = 0; i < value.length; i += 1) {
    classCounts[characterClass(value.charCodeAt(i))]! += 1;
  }
  let beyond = 0;
  for (let i = 0; i < SIGNATURE_WORDS; i += 1) into[offset + i] = 0;
  for (let c = 0; c < 64; c += 1) {
    const count = classCounts[c]!;
    if (count === 0) continue;
    classCounts[c] = 0;
    const word = c < 32 ? 0 : 1;
    const bit = 1 << (c & 31);
    for (let k = 0; k < Math.min(count, 3); k += 1) into[offset + 2 * k + word]! |= bit;
    beyond += Math.max(0, count - 3);
  }
  into[offset + 6] = beyond;
}

function bitCount(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return Math.imul((x + (x >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24;
}

/**
 * An upper bound on the characters two values have in common (as multisets), from their
 * signatures at offsets `i` and `j` of `signatures`.
 */
export function commonCharactersBound(signatures: Int32Array, i: number, j: number): number {
  let common = Math.min(signatures[i + 6]!, signatures[j + 6]!);
  for (let w = 0; w < 6; w += 1) common += bitCount(signatures[i + w]! & signatures[j + w]!);
  return common;
}

const DATE_CACHE_LIMIT = 100_000;
const dateCache = new Map<string, DateParts | null>();

/** {@link parseIsoDate}, memoised: birth dates repeat across many pairs. */
function dateParts(value: string): DateParts | null {
  let parts = dateCache.get(value);
  if (parts === undefined) {
    if (dateCache.size >= DATE_CACHE_LIMIT) dateCache.clear();
    parts = parseIsoDate(value);
    dateCache.set(value, parts);
  }
  return parts;
}

export function dayMonthSwapped(a: string, b: string): boolean {
  const x = dateParts(a);
  const y = dateParts(b);
  return (
    x !== null &&
    y !== null &&
    x.year === y.year &&
    x.month === y.day &&
    x.day === y.month &&
    a !== b
  );
}

export function daysApart(a: string, b: string): number | null {
  const x = dateParts(a)?.epochDay;
  const y = dateParts(b)?.epochDay;
  return x == null || y == null ? null : Math.abs(x - y);
}

export function yearsApart(a: string, b: string): number | null {
  const x = dateParts(a);
  const y = dateParts(b);
  return x === null || y === null ? null : Math.abs(x.year - y.year);
}

/**
 * A comparison's levels as the loops that evaluate them read them: a kind code and a number per
 * level, in typed arrays. The predicates themselves are objects of six shapes (`{type}`,
 * `{type, min}`, `{type, max}`, ...), and reading `when.type` from all of them made every property
 * read in {@link levelFor} megamorphic: u from a million FEBRL3 pairs took a fifth longer on one
 * thread than with these arrays (docs/benchmarks.md). Compiled once per levels array.
 */
export interface CompiledLevels {
  /** The kind of each level (EXACT ... ELSE below). */
  readonly kinds: Uint8Array;
  /** The level's bound: `min` (jaroWinkler), `max` (edits), `days` or `years`; 0 for none. */
  readonly limits: Float64Array;
  /** The other attribute of a `swapped` level; null for every other level. */
  readonly withs: readonly (string | null)[];
}

// The kinds in CompiledLevels.kinds: plain numbers, so levelOf switches on small integers.
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

const KIND_OF: Readonly<Record<LevelPredicate['type'], number>> = {
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

/** What a predicate compares against: its `min`, `max`, `days` or `years`; 0 for none. */
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
    default:
      return 0;
  }
}

const compiledLevels = new WeakMap<readonly ComparisonLevel[], CompiledLevels>();

/** `levels` compiled for {@link levelOf}; the same object for the same array. */
export function compileLevels(levels: readonly ComparisonLevel[]): CompiledLevels {
  let compiled = compiledLevels.get(levels);
  if (compiled) return compiled;
  const kinds = new Uint8Array(levels.length);
  const limits = new Float64Array(levels.length);
  const withs: (string | null)[] = [];
  levels.forEach(({ when }, index) => {
    kinds[index] = KIND_OF[when.type];
    limits[index] = limitOf(when);
    withs.push(when.type === 'swapped' ? when.with : null);
  });
  compiled = { kinds, limits, withs };
  compiledLevels.set(levels, compiled);
  return compiled;
}

/**
 * The index of the first of `levels` that holds for two present values (the last one, `else`, when
 * none does). Loops over many pairs compile the levels once and call {@link levelOf}.
 */
export function levelFor(
  levels: readonly ComparisonLevel[],
  a: string,
  b: string,
  left: MatchRecord,
  right: MatchRecord,
): number {
  return levelOf(compileLevels(levels), a, b, left, right);
}

/**
 * {@link levelFor} on compiled levels. Similarities are computed lazily and at most once per pair,
 * because several levels of a comparison often ask for the same measure; this runs for every
 * candidate pair, so it keeps them in locals rather than in an object per pair.
 */
export function levelOf(
  levels: CompiledLevels,
  a: string,
  b: string,
  left: MatchRecord,
  right: MatchRecord,
  /** {@link commonCharactersBound} of the two values, when the caller has it; -1 otherwise. */
  common = -1,
): number {
  const { kinds, limits } = levels;
  let jw = -1;
  let jwBound = -1;
  let lev = -1;
  let dl = -1;
  let editBound = -1;
  for (let index = 0; index < kinds.length; index += 1) {
    const limit = limits[index]!;
    switch (kinds[index]) {
      case EXACT:
        if (a === b) return index;
        break;
      case JARO_WINKLER:
        if (jw < 0) {
          if (jwBound < 0)
            jwBound = jaroWinklerUpperBound(a, b, common < 0 ? commonCharacters(a, b) : common);
          if (jwBound < limit) break;
          jw = jaroWinkler(a, b);
        }
        if (jw >= limit) return index;
        break;
      case PHONETIC:
        if (phoneticEqual(a, b)) return index;
        break;
      case LEVENSHTEIN:
        if (lev < 0) {
          if (editBound < 0)
            editBound = editDistanceLowerBound(a, b, common < 0 ? commonCharacters(a, b) : common);
          if (editBound > limit) break;
          lev = levenshtein(a, b);
        }
        if (lev <= limit) return index;
        break;
      case DAMERAU_LEVENSHTEIN:
        if (dl < 0) {
          if (editBound < 0)
            editBound = editDistanceLowerBound(a, b, common < 0 ? commonCharacters(a, b) : common);
          if (editBound > limit) break;
          dl = damerauLevenshtein(a, b);
        }
        if (dl <= limit) return index;
        break;
      case DAY_MONTH_SWAP:
        if (dayMonthSwapped(a, b)) return index;
        break;
      case DATE_WITHIN_DAYS: {
        const days = daysApart(a, b);
        if (days !== null && days <= limit) return index;
        break;
      }
      case YEAR_WITHIN: {
        const years = yearsApart(a, b);
        if (years !== null && years <= limit) return index;
        break;
      }
      case SWAPPED: {
        const other = levels.withs[index]!;
        const otherLeft = left.values[other];
        const otherRight = right.values[other];
        if (
          otherLeft != null &&
          otherRight != null &&
          a === otherRight &&
          b === otherLeft &&
          a !== b
        )
          return index;
        break;
      }
      case ELSE:
        return index;
    }
  }
  return kinds.length - 1;
}

/**
 * The level index of `comparison` for a pair, or {@link MISSING_LEVEL}. Symmetric in its arguments
 * for every built-in predicate.
 */
export function compareAttribute(
  comparison: ComparisonDefinition,
  left: MatchRecord,
  right: MatchRecord,
): number {
  const a = left.values[comparison.attribute];
  const b = right.values[comparison.attribute];
  if (a == null || b == null) return MISSING_LEVEL;
  return levelFor(comparison.levels, a, b, left, right);
}

/** One level index per comparison, in model order. */
export function comparisonVector(
  comparisons: readonly ComparisonDefinition[],
  left: MatchRecord,
  right: MatchRecord,
): number[] {
  return comparisons.map((comparison) => compareAttribute(comparison, left, right));
}

/** Throws when a comparison's levels are malformed (no levels, `else` missing or not last). */
export function assertValidComparison(comparison: ComparisonDefinition): void {
  const { levels, name } = comparison;
  if (levels.length < 2) throw new Error(`comparison ${name}: needs at least two levels`);
  levels.forEach((level, index) => {
    const isLast = index === levels.length - 1;
    if ((level.when.type === 'else') !== isLast)
      throw new Error(`comparison ${name}: 'else' must be the last level, and only the last`);
  });
}

const elseLevel = { when: { type: 'else' } } as const;

/**
 * Presets. Thresholds follow Splink's `NameComparison` (Jaro–Winkler 0.92 / 0.88 / 0.7) with a
 * double metaphone level between the two upper bands: a phonetic match ("smith"/"smyth",
 * "catherine"/"kathryn") is stronger evidence than a moderate string similarity.
 */
export function nameComparison(
  attribute: string,
  options: { name?: string; termFrequency?: boolean; swappedWith?: string } = {},
): ComparisonDefinition {
  const levels: ComparisonLevel[] = [
    { when: { type: 'exact' } },
    ...(options.swappedWith
      ? [{ when: { type: 'swapped', with: options.swappedWith } } as const]
      : []),
    { when: { type: 'jaroWinkler', min: 0.92 } },
    { when: { type: 'phonetic' } },
    { when: { type: 'jaroWinkler', min: 0.88 } },
    { when: { type: 'jaroWinkler', min: 0.7 } },
    elseLevel,
  ];
  return {
    name: options.name ?? attribute,
    attribute,
    levels,
    ...(options.termFrequency ? { termFrequency: true } : {}),
  };
}

/**
 * Dates of birth: exact; a one-character typo; day and month swapped (US/EU confusion); within a
 * month; year within 1 (wrong year, or a near-miss across a year boundary); else.
 */
export function dateComparison(
  attribute: string,
  options: { name?: string } = {},
): ComparisonDefinition {
  return {
    name: options.name ?? attribute,
    attribute,
    levels: [
      { when: { type: 'exact' } },
      { when: { type: 'levenshtein', max: 1 } },
      { when: { type: 'dayMonthSwap' } },
      { when: { type: 'dateWithinDays', days: 31 } },
      { when: { type: 'yearWithin', years: 1 } },
      elseLevel,
    ],
  };
}

/** Exact match or not: for low-cardinality or all-or-nothing values (gender, state, house number). */
export function exactComparison(
  attribute: string,
  options: { name?: string; termFrequency?: boolean } = {},
): ComparisonDefinition {
  return {
    name: options.name ?? attribute,
    attribute,
    levels: [{ when: { type: 'exact' } }, elseLevel],
    ...(options.termFrequency ? { termFrequency: true } : {}),
  };
}

/**
 * Codes that are typed rather than spoken (national ids, postcodes): exact, then edit-distance
 * bands where a transposition counts as one edit.
 */
export function codeComparison(
  attribute: string,
  options: { name?: string; termFrequency?: boolean; maxEdits?: readonly number[] } = {},
): ComparisonDefinition {
  const edits = options.maxEdits ?? [1, 2];
  return {
    name: options.name ?? attribute,
    attribute,
    levels: [
      { when: { type: 'exact' } },
      ...edits.map((max) => ({ when: { type: 'damerauLevenshtein', max } }) as const),
      elseLevel,
    ],
    ...(options.termFrequency ? { termFrequency: true } : {}),
  };
}

/** Free text such as street names: exact, then Jaro–Winkler bands. */
export function textComparison(
  attribute: string,
  options: { name?: string; termFrequency?: boolean; thresholds?: readonly number[] } = {},
): ComparisonDefinition {
  const thresholds = options.thresholds ?? [0.92, 0.8];
  return {
    name: options.name ?? attribute,
    attribute,
    levels: [
      { when: { type: 'exact' } },
      ...thresholds.map((min) => ({ when: { type: 'jaroWinkler', min } }) as const),
      elseLevel,
    ],
    ...(options.termFrequency ? { termFrequency: true } : {}),
  };
}
