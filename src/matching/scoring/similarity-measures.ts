import { distance as levenshtein } from 'fastest-levenshtein';
import damerauLevenshtein from 'talisman/metrics/damerau-levenshtein.js';
import jaroWinkler from 'talisman/metrics/jaro-winkler.js';
import type { ValueMemo } from '../records/value-memo.js';
import { CITY, POSTCODE, STREET, STREET_NUMBER } from '../records/derived-address.js';

/**
 * The measures comparison levels test two normalised values with. String similarity is
 * Jaro–Winkler as in Winkler (1990) with the usual 0.1 prefix scale and 0.7 boost threshold
 * (talisman), which gives the same numbers as DuckDB's `jaro_winkler_similarity` that Splink uses,
 * so thresholds carry over. The phonetic, date and address measures read what they derive from a
 * value through a {@link ValueMemo}.
 */

export function jaroWinklerSimilarity(a: string, b: string): number {
  return jaroWinkler(a, b);
}

export function levenshteinDistance(a: string, b: string): number {
  return levenshtein(a, b);
}

/** Optimal-string-alignment distance: like Levenshtein, but a transposition costs 1. */
export function damerauLevenshteinDistance(a: string, b: string): number {
  return damerauLevenshtein(a, b);
}

/** Same double metaphone code, primary or alternate on either side. */
export function phoneticEqual(
  a: string,
  b: string,
  memo: Pick<ValueMemo, 'phoneticCodes'>,
): boolean {
  const [pa, sa] = memo.phoneticCodes(a);
  const [pb, sb] = memo.phoneticCodes(b);
  if (pa === '' || pb === '') return false;
  return pa === pb || pa === sb || sa === pb || sa === sb;
}

/**
 * Two different real calendar dates with the same year and day and month swapped. A value that is
 * not a real date (a typo such as "1971-13-24") is compared as text only.
 */
export function dayMonthSwapped(a: string, b: string, memo: Pick<ValueMemo, 'dateParts'>): boolean {
  const x = memo.dateParts(a);
  const y = memo.dateParts(b);
  return (
    x?.epochDay != null &&
    y?.epochDay != null &&
    x.year === y.year &&
    x.month === y.day &&
    x.day === y.month &&
    a !== b
  );
}

/** Days between two real calendar dates; null when either is not one. */
export function daysApart(a: string, b: string, memo: Pick<ValueMemo, 'dateParts'>): number | null {
  const x = memo.dateParts(a)?.epochDay;
  const y = memo.dateParts(b)?.epochDay;
  return x == null || y == null ? null : Math.abs(x - y);
}

/** Years between two real calendar dates; null when either is not one. */
export function yearsApart(
  a: string,
  b: string,
  memo: Pick<ValueMemo, 'dateParts'>,
): number | null {
  const x = memo.dateParts(a);
  const y = memo.dateParts(b);
  return x?.epochDay == null || y?.epochDay == null ? null : Math.abs(x.year - y.year);
}

/** How much two packed addresses agree on, in {@link addressAgreement}'s scale. */
export const ADDRESS_NONE = 0;
export const ADDRESS_PLACE = 1;
export const ADDRESS_STREET = 2;
export const ADDRESS_DWELLING = 3;

/**
 * How much two packed addresses (derived-address.ts) agree on: {@link ADDRESS_DWELLING} (same
 * street and house number), {@link ADDRESS_STREET} (same place, streets at least `streetMin`
 * Jaro–Winkler alike), {@link ADDRESS_PLACE} (same postcode when both have one, else same city when
 * both have one) or {@link ADDRESS_NONE}. Each level implies the ones below it; symmetric.
 */
export function addressAgreement(
  a: string,
  b: string,
  streetMin: number,
  memo: Pick<ValueMemo, 'addressParts'>,
): number {
  const x = memo.addressParts(a);
  const y = memo.addressParts(b);
  const samePlace =
    x[POSTCODE] !== '' && y[POSTCODE] !== ''
      ? x[POSTCODE] === y[POSTCODE]
      : x[CITY] !== '' && y[CITY] !== '' && x[CITY] === y[CITY];
  if (!samePlace) return ADDRESS_NONE;
  const streetA = x[STREET];
  const streetB = y[STREET];
  if (streetA === '' || streetB === '') return ADDRESS_PLACE;
  if (streetA !== streetB && jaroWinklerSimilarity(streetA, streetB) < streetMin)
    return ADDRESS_PLACE;
  const number = x[STREET_NUMBER];
  return number !== '' && number === y[STREET_NUMBER] ? ADDRESS_DWELLING : ADDRESS_STREET;
}
