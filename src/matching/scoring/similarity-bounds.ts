/**
 * Cheap bounds that let a comparison skip the similarity library for pairs that cannot reach a
 * level: most pairs scored while training (u from random pairs) share few characters. Both come
 * from the characters the two strings have in common (as multisets); the measures themselves are
 * always the libraries' (similarity-measures.ts).
 */

/** Scratch counts by character code, all zero between calls: one buffer serves every call. */
const charCounts = new Int32Array(65_536);

/** Characters the two strings have in common, counted as multisets. */
export function commonCharacters(a: string, b: string): number {
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
 * that compares the same values many times (u from random pairs compares each record's values with
 * hundreds of others). A value's characters fall into 64 classes (letters, space, digits and a
 * few marks each their own; anything else shares one of 22); the signature holds, for k = 1..3,
 * the set of classes occurring at least k times, as two 32-bit words, and what lies beyond three
 * occurrences as a count. The sizes of the intersections summed over k are the multiset
 * intersection of the classes: exact where no two characters share a class, and never less than
 * the characters' (merging two classes cannot lower a sum of minimums), so a bound computed from
 * it stays a bound.
 */

/** Int32 words per signature (see {@link writeCharacterSignature}). */
export const SIGNATURE_WORDS = 7;

/** Scratch counts by character class, all zero between calls. */
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
