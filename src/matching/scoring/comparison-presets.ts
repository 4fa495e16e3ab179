import { ADDRESS_ATTRIBUTE } from '../records/derived-address.js';
import type { ComparisonDefinition, ComparisonLevel } from './comparison-levels.js';

/**
 * The usual comparisons, one per kind of attribute (names, dates, codes, free text, all-or-nothing
 * values, whole addresses), as models and benchmarks build them.
 */

interface PresetOptions {
  /** Names the comparison; the attribute's name by default. */
  readonly name?: string;
  readonly termFrequency?: boolean;
}

const exactLevel = { when: { type: 'exact' } } as const;
const elseLevel = { when: { type: 'else' } } as const;

/** A comparison of `attribute` by `levels` (ending with `else`). */
function preset(
  attribute: string,
  options: PresetOptions,
  levels: readonly ComparisonLevel[],
): ComparisonDefinition {
  return {
    name: options.name ?? attribute,
    attribute,
    levels,
    ...(options.termFrequency ? { termFrequency: true } : {}),
  };
}

/**
 * Names. Thresholds follow Splink's `NameComparison` (Jaro–Winkler 0.92 / 0.88 / 0.7) with a
 * double metaphone level between the two upper bands: a phonetic match ("smith"/"smyth",
 * "catherine"/"kathryn") is stronger evidence than a moderate string similarity.
 */
export function nameComparison(
  attribute: string,
  options: PresetOptions & { swappedWith?: string; swapMin?: number } = {},
): ComparisonDefinition {
  return preset(attribute, options, [
    exactLevel,
    ...(options.swappedWith
      ? [
          {
            when: {
              type: 'swapped',
              with: options.swappedWith,
              ...(options.swapMin === undefined ? {} : { min: options.swapMin }),
            },
          } as const,
        ]
      : []),
    { when: { type: 'jaroWinkler', min: 0.92 } },
    { when: { type: 'phonetic' } },
    { when: { type: 'jaroWinkler', min: 0.88 } },
    { when: { type: 'jaroWinkler', min: 0.7 } },
    elseLevel,
  ]);
}

/**
 * Dates of birth: exact; a one-character typo; day and month swapped (US/EU confusion); within a
 * month; year within 1 (wrong year, or a near-miss across a year boundary); else.
 */
export function dateComparison(
  attribute: string,
  options: { name?: string } = {},
): ComparisonDefinition {
  return preset(attribute, options, [
    exactLevel,
    { when: { type: 'levenshtein', max: 1 } },
    { when: { type: 'dayMonthSwap' } },
    { when: { type: 'dateWithinDays', days: 31 } },
    { when: { type: 'yearWithin', years: 1 } },
    elseLevel,
  ]);
}

/** Exact match or not: for low-cardinality or all-or-nothing values (gender, state, house number). */
export function exactComparison(
  attribute: string,
  options: PresetOptions = {},
): ComparisonDefinition {
  return preset(attribute, options, [exactLevel, elseLevel]);
}

/**
 * Codes that are typed rather than spoken (national ids, postcodes): exact, then edit-distance
 * bands where a transposition counts as one edit.
 */
export function codeComparison(
  attribute: string,
  options: PresetOptions & { maxEdits?: readonly number[] } = {},
): ComparisonDefinition {
  const edits = options.maxEdits ?? [1, 2];
  return preset(attribute, options, [
    exactLevel,
    ...edits.map((max) => ({ when: { type: 'damerauLevenshtein', max } }) as const),
    elseLevel,
  ]);
}

/** Free text such as street names: exact, then Jaro–Winkler bands. */
export function textComparison(
  attribute: string,
  options: PresetOptions & { thresholds?: readonly number[] } = {},
): ComparisonDefinition {
  const thresholds = options.thresholds ?? [0.92, 0.8];
  return preset(attribute, options, [
    exactLevel,
    ...thresholds.map((min) => ({ when: { type: 'jaroWinkler', min } }) as const),
    elseLevel,
  ]);
}

/**
 * The whole address (the derived `address` attribute: postcode, city, street, house number) as one
 * comparison, so that one shared place counts once: exact (every part equal), same dwelling (same
 * place, street alike, same house number), same street (house number different or missing), same
 * place (postcode, or city where a postcode is missing), else. As Splink's guidance does for
 * correlated fields; two neighbours on one street reach `same_street`, not a near-exact level.
 */
export function addressComparison(
  options: { name?: string; streetMin?: number } = {},
): ComparisonDefinition {
  const streetMin = options.streetMin === undefined ? {} : { streetMin: options.streetMin };
  return preset(ADDRESS_ATTRIBUTE, options, [
    exactLevel,
    { when: { type: 'address', match: 'dwelling', ...streetMin } },
    { when: { type: 'address', match: 'street', ...streetMin } },
    { when: { type: 'address', match: 'place' } },
    elseLevel,
  ]);
}
