/**
 * Comparison levels. A comparison looks at one attribute of two records and returns the index of
 * the first level whose predicate holds; the last level is always `else`. When either value is
 * missing the result is {@link MISSING_LEVEL}, which carries no weight in the model.
 *
 * Levels are data (not closures) so that a model file can carry them and the explanation can
 * name them; level-evaluation.ts evaluates them, comparison-presets.ts builds the usual ones.
 */

import { ADDRESS_ATTRIBUTE } from '../records/derived-address.js';

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
  /**
   * This attribute agrees with the other record's `with` attribute and vice versa (e.g. names
   * swapped): equal, or with `min`, both crossed pairs at least `min` Jaro–Winkler alike (a swap and
   * a typo in one of the names, which a form filled in by hand often has together).
   */
  | { readonly type: 'swapped'; readonly with: string; readonly min?: number }
  /**
   * Packed addresses (the derived `address` attribute, see derived-address.ts) that agree on:
   * - `place`: the same postcode when both have one, else the same city when both have one;
   * - `street`: the same place and streets at least `streetMin` Jaro–Winkler alike (default
   *   {@link DEFAULT_STREET_MIN}), whatever the house numbers;
   * - `dwelling`: the same street and the same house number (both present).
   */
  | {
      readonly type: 'address';
      readonly match: AddressMatch;
      readonly streetMin?: number;
    }
  /** Everything else; must be the last level. */
  | { readonly type: 'else' };

/** How much of two addresses an `address` level asks to agree, widest first. */
export const ADDRESS_MATCHES = ['place', 'street', 'dwelling'] as const;
export type AddressMatch = (typeof ADDRESS_MATCHES)[number];

/**
 * Street-name similarity of an `address` level without `streetMin` (Splink's lower name band):
 * nearly every one-character typo in a street name ("hgh street") stays above it; a few different
 * streets reach it too ("station road", "station lane"), which is why a street agreement is weak
 * evidence on its own.
 */
export const DEFAULT_STREET_MIN = 0.88;

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
      return when.min === undefined
        ? `swapped_with_${when.with}`
        : `swapped_with_${when.with}_jw>=${when.min}`;
    case 'address':
      // The street similarity is named only when it is not the default one.
      return when.match === 'place' || when.streetMin === undefined
        ? `same_${when.match}`
        : `same_${when.match}_street_jw>=${when.streetMin}`;
    case 'else':
      return 'else';
  }
}

/**
 * Throws when a comparison's levels are malformed (no levels, `else` missing or not last, an
 * `address` level on another attribute than the packed `address`).
 */
export function assertValidComparison(comparison: ComparisonDefinition): void {
  const { levels, name } = comparison;
  if (levels.length < 2) throw new Error(`comparison ${name}: needs at least two levels`);
  levels.forEach((level, index) => {
    const isLast = index === levels.length - 1;
    if ((level.when.type === 'else') !== isLast)
      throw new Error(`comparison ${name}: 'else' must be the last level, and only the last`);
    if (level.when.type === 'address' && comparison.attribute !== ADDRESS_ATTRIBUTE)
      throw new Error(`comparison ${name}: address levels compare the attribute 'address'`);
  });
}
