import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  assertValidComparison,
  type ComparisonDefinition,
  levelLabel,
  MISSING_LEVEL,
} from '../../src/matching/scoring/comparison-levels.js';
import {
  codeComparison,
  dateComparison,
  exactComparison,
  nameComparison,
  textComparison,
} from '../../src/matching/scoring/comparison-presets.js';
import {
  compileLevels,
  createLevelEvaluator,
} from '../../src/matching/scoring/level-evaluation.js';
import {
  commonCharactersBound,
  editDistanceLowerBound,
  jaroWinklerUpperBound,
  SIGNATURE_WORDS,
  writeCharacterSignature,
} from '../../src/matching/scoring/similarity-bounds.js';
import * as measures from '../../src/matching/scoring/similarity-measures.js';
import { createValueMemo } from '../../src/matching/records/value-memo.js';
import {
  type MatchRecord,
  normalizeCode,
  normalizeDate,
  normalizeGender,
  normalizeName,
  normalizeRecord,
  normalizeText,
  parseIsoDate,
} from '../../src/matching/records/normalize-attributes.js';

function rec(values: Record<string, string | null>, id = 'r'): MatchRecord {
  return { id, values };
}

const memo = createValueMemo();
const evaluator = createLevelEvaluator(memo);

/** Level label a comparison gives two values of its attribute. */
function level(comparison: ComparisonDefinition, a: string | null, b: string | null): string {
  const index = evaluator.compareAttribute(
    comparison,
    rec({ [comparison.attribute]: a }),
    rec({ [comparison.attribute]: b }),
  );
  return index === MISSING_LEVEL ? 'missing' : levelLabel(comparison.levels[index]!.when);
}

describe('normalisation', () => {
  it('folds names to letters and digits, without case, accents, spaces or punctuation', () => {
    expect(normalizeName("  O'Brien-Smith ")).toBe('obriensmith');
    expect(normalizeName('Zoë  Ångström')).toBe('zoeangstrom');
    expect(normalizeName('  ')).toBeNull();
    expect(normalizeName(undefined)).toBeNull();
  });

  it('keeps word boundaries in free text and strips them from codes', () => {
    expect(normalizeText(' 12,  High St. ')).toBe('12 high st');
    expect(normalizeCode('SW1A 1AA')).toBe('sw1a1aa');
    expect(normalizeCode('--')).toBeNull();
  });

  it('canonicalises unambiguous date shapes and refuses ambiguous ones', () => {
    expect(normalizeDate('1971-06-24')).toBe('1971-06-24');
    expect(normalizeDate('19710624')).toBe('1971-06-24');
    expect(normalizeDate('1971/6/4')).toBe('1971-06-04');
    expect(normalizeDate('1971-06-24T10:00:00Z')).toBe('1971-06-24');
    expect(normalizeDate('24/06/1971')).toBeNull();
    expect(normalizeDate('')).toBeNull();
    // A typo'd date is kept for string comparison, but is not a calendar date.
    expect(normalizeDate('19711324')).toBe('1971-13-24');
    expect(parseIsoDate('1971-13-24')?.epochDay).toBeNull();
    expect(parseIsoDate('1970-01-02')).toEqual({ year: 1970, month: 1, day: 2, epochDay: 1 });
  });

  it('maps gender spellings and treats unknowns as missing', () => {
    expect(normalizeGender('Female')).toBe('f');
    expect(normalizeGender('M')).toBe('m');
    expect(normalizeGender('unknown')).toBeNull();
  });

  it('normalises a record by attribute kind, extras as codes unless configured', () => {
    const record = normalizeRecord(
      {
        id: 'e1',
        source: 'crm',
        attributes: {
          firstName: 'Ann-Marie',
          dateOfBirth: '19800102',
          nationalId: 'AB 12-34',
          note: 'A  b',
        },
      },
      { attributeKinds: { note: 'text' } },
    );
    expect(record).toMatchObject({ id: 'e1', source: 'crm' });
    expect(record.values).toMatchObject({
      firstName: 'annmarie',
      lastName: null,
      dateOfBirth: '1980-01-02',
      nationalId: 'ab1234',
      note: 'a b',
    });
  });
});

describe('similarity functions', () => {
  it('computes standard Jaro–Winkler (matches DuckDB / Splink)', () => {
    expect(measures.jaroWinklerSimilarity('martha', 'marhta')).toBeCloseTo(0.9611, 4);
    expect(measures.jaroWinklerSimilarity('dwayne', 'duane')).toBeCloseTo(0.84, 4);
    expect(measures.jaroWinklerSimilarity('dixon', 'dicksonx')).toBeCloseTo(0.8133, 4);
    expect(measures.jaroWinklerSimilarity('same', 'same')).toBe(1);
    expect(measures.jaroWinklerSimilarity('abc', 'xyz')).toBe(0);
  });

  it('counts edits; Damerau counts a transposition once', () => {
    expect(measures.levenshteinDistance('kitten', 'sitting')).toBe(3);
    expect(measures.levenshteinDistance('1234567', '1234576')).toBe(2);
    expect(measures.damerauLevenshteinDistance('1234567', '1234576')).toBe(1);
  });

  // The bounds let a comparison skip the library for hopeless pairs: a bound that is ever wrong
  // would change a level, so they are checked against the libraries on many strings.
  it('bounds Jaro–Winkler from above and edit distances from below, never wrongly', () => {
    const word = fc.string({ unit: fc.constantFrom(...'abcdeimnorst-é'), maxLength: 12 });
    fc.assert(
      fc.property(word, word, (a, b) => {
        expect(jaroWinklerUpperBound(a, b)).toBeGreaterThanOrEqual(
          measures.jaroWinklerSimilarity(a, b) - 1e-12,
        );
        const lower = editDistanceLowerBound(a, b);
        expect(lower).toBeLessThanOrEqual(measures.levenshteinDistance(a, b));
        expect(lower).toBeLessThanOrEqual(measures.damerauLevenshteinDistance(a, b));
      }),
      { numRuns: 5000, seed: 7 },
    );
    // And they do prune: nothing in common bounds Jaro–Winkler at 0.
    expect(jaroWinklerUpperBound('john', 'mary')).toBe(0);
    expect(editDistanceLowerBound('2000', '4122')).toBe(3);
  });

  // u from random pairs evaluates compiled levels with the common-character count from the values'
  // signatures: an overcount there (two characters in one class) must leave every level as it was.
  it('gives the same level with a common-character bound from signatures as without', () => {
    // Letters, digits, marks, and characters that share a class ('é' and 'ü'; '@' and 'ā').
    const word = fc.string({ unit: fc.constantFrom(...'aabeimnrst 019-./éü@ā'), maxLength: 14 });
    const comparisons = [
      nameComparison('v'),
      dateComparison('v'),
      codeComparison('v', { maxEdits: [1, 2] }),
      textComparison('v'),
    ];
    const signatures = new Int32Array(2 * SIGNATURE_WORDS);
    fc.assert(
      fc.property(word, word, (a, b) => {
        writeCharacterSignature(a, signatures, 0);
        writeCharacterSignature(b, signatures, SIGNATURE_WORDS);
        const common = commonCharactersBound(signatures, 0, SIGNATURE_WORDS);
        expect(jaroWinklerUpperBound(a, b, common)).toBeGreaterThanOrEqual(
          measures.jaroWinklerSimilarity(a, b) - 1e-12,
        );
        expect(editDistanceLowerBound(a, b, common)).toBeLessThanOrEqual(
          measures.damerauLevenshteinDistance(a, b),
        );
        const left = rec({ v: a }, 'l');
        const right = rec({ v: b }, 'r');
        for (const { levels } of comparisons)
          expect(
            evaluator.evaluateCompiledLevels(compileLevels(levels), a, b, left, right, common),
          ).toBe(evaluator.evaluateLevels(levels, a, b, left, right));
      }),
      { numRuns: 5000, seed: 11 },
    );
    // Exact where no two characters share a class: 'anna' and 'nana' share all four.
    writeCharacterSignature('anna', signatures, 0);
    writeCharacterSignature('nanak', signatures, SIGNATURE_WORDS);
    expect(commonCharactersBound(signatures, 0, SIGNATURE_WORDS)).toBe(4);
    // Beyond three of a character, the counts carry on: 'aaaaa' and 'aaaa' share four.
    writeCharacterSignature('aaaaa', signatures, 0);
    writeCharacterSignature('aaaa', signatures, SIGNATURE_WORDS);
    expect(commonCharactersBound(signatures, 0, SIGNATURE_WORDS)).toBe(4);
  });

  it('matches names that sound alike by double metaphone', () => {
    expect(measures.phoneticEqual('smith', 'smyth', memo)).toBe(true);
    expect(measures.phoneticEqual('smith', 'schmidt', memo)).toBe(true); // alternate code XMT
    expect(measures.phoneticEqual('catherine', 'kathryn', memo)).toBe(true);
    expect(measures.phoneticEqual('smith', 'jones', memo)).toBe(false);
  });

  it('knows day/month swaps and date distances', () => {
    expect(measures.dayMonthSwapped('1980-03-04', '1980-04-03', memo)).toBe(true);
    expect(measures.dayMonthSwapped('1980-03-03', '1980-03-03', memo)).toBe(false);
    expect(measures.dayMonthSwapped('1980-03-04', '1981-04-03', memo)).toBe(false);
    expect(measures.daysApart('1980-01-31', '1980-03-01', memo)).toBe(30);
    expect(measures.daysApart('1980-02-30', '1980-03-01', memo)).toBeNull();
    expect(measures.yearsApart('1980-02-28', '1981-03-01', memo)).toBe(1);
    // A date that is not a real one is compared as text only.
    expect(measures.yearsApart('1980-02-30', '1981-03-01', memo)).toBeNull();
  });

  it('forgets the names and dates it memoised, and compares them the same afterwards', () => {
    const fresh = createValueMemo();
    expect(measures.phoneticEqual('catherine', 'kathryn', fresh)).toBe(true);
    expect(measures.dayMonthSwapped('1980-03-04', '1980-04-03', fresh)).toBe(true);
    expect(fresh.size).toBe(4);
    fresh.forget();
    expect(fresh.size).toBe(0);
    expect(measures.phoneticEqual('catherine', 'kathryn', fresh)).toBe(true);
    expect(measures.dayMonthSwapped('1980-03-04', '1980-04-03', fresh)).toBe(true);
  });
});

describe('comparison levels', () => {
  const name = nameComparison('firstName');

  it('name: exact, Jaro–Winkler bands, phonetic, else; missing when either is null', () => {
    expect(level(name, 'robert', 'robert')).toBe('exact');
    expect(level(name, 'martha', 'marhta')).toBe('jaro_winkler>=0.92');
    expect(level(name, 'catherine', 'kathryn')).toBe('double_metaphone');
    expect(level(name, 'dwayne', 'duane')).toBe('double_metaphone');
    expect(level(name, 'dixon', 'dicksonx')).toBe('jaro_winkler>=0.7');
    expect(level(name, 'robert', 'zoe')).toBe('else');
    expect(level(name, 'robert', null)).toBe('missing');
    expect(level(name, null, null)).toBe('missing');
  });

  it('name: detects first and last name swapped when configured', () => {
    const first = nameComparison('firstName', { swappedWith: 'lastName' });
    const a = rec({ firstName: 'smith', lastName: 'john' });
    const b = rec({ firstName: 'john', lastName: 'smith' });
    expect(levelLabel(first.levels[evaluator.compareAttribute(first, a, b)]!.when)).toBe(
      'swapped_with_lastName',
    );
    expect(evaluator.compareAttribute(first, a, b)).toBe(evaluator.compareAttribute(first, b, a));
  });

  it('name: a swap with a typo in one of the names, when the level allows it', () => {
    const exactSwap = nameComparison('firstName', { swappedWith: 'lastName' });
    const fuzzySwap = nameComparison('firstName', { swappedWith: 'lastName', swapMin: 0.92 });
    const label = (c: typeof exactSwap, x: MatchRecord, y: MatchRecord) =>
      levelLabel(c.levels[evaluator.compareAttribute(c, x, y)]!.when);
    const a = rec({ firstName: 'vincen', lastName: 'luke' });
    const b = rec({ firstName: 'luke', lastName: 'vincent' });
    expect(label(fuzzySwap, a, b)).toBe('swapped_with_lastName_jw>=0.92');
    expect(label(fuzzySwap, b, a)).toBe('swapped_with_lastName_jw>=0.92');
    expect(label(exactSwap, a, b)).toBe('else');
    // Both crossed pairs must agree: a household member's first name against the surname is not it.
    const household = rec({ firstName: 'luke', lastName: 'vincent' });
    const sibling = rec({ firstName: 'vincent', lastName: 'vincent' });
    expect(label(fuzzySwap, household, sibling)).not.toMatch(/^swapped/);
  });

  it('date: exact, one-character typo, day/month swap, within a month, year ±1, else', () => {
    const date = dateComparison('dateOfBirth');
    expect(level(date, '1980-03-14', '1980-03-14')).toBe('exact');
    expect(level(date, '1980-03-14', '1980-03-15')).toBe('levenshtein<=1');
    expect(level(date, '1980-03-04', '1980-04-03')).toBe('day_month_swap');
    expect(level(date, '1980-03-28', '1980-04-12')).toBe('within_31_days');
    expect(level(date, '1980-03-28', '1981-11-12')).toBe('year_within_1');
    expect(level(date, '1980-03-28', '1985-11-12')).toBe('else');
    expect(level(date, '1980-03-28', null)).toBe('missing');
    // An impossible date is compared as text: by typo, never as a date.
    expect(level(date, '1980-02-30', '1980-02-31')).toBe('levenshtein<=1');
    expect(level(date, '1980-02-30', '1980-03-01')).toBe('else');
  });

  it('code: exact, then edit-distance bands', () => {
    const code = codeComparison('nationalId');
    expect(level(code, '1234567', '1234567')).toBe('exact');
    expect(level(code, '1234567', '1234576')).toBe('damerau_levenshtein<=1');
    expect(level(code, '1234567', '1234599')).toBe('damerau_levenshtein<=2');
    expect(level(code, '1234567', '7654321')).toBe('else');
  });

  it('exact and text comparisons', () => {
    expect(level(exactComparison('gender'), 'f', 'f')).toBe('exact');
    expect(level(exactComparison('gender'), 'f', 'm')).toBe('else');
    const street = textComparison('street');
    expect(level(street, 'wallaby place', 'wallaby plcae')).toBe('jaro_winkler>=0.92');
    expect(level(street, 'high street', 'station road')).toBe('else');
  });

  it('builds a vector in comparison order', () => {
    const comparisons = [
      nameComparison('firstName'),
      nameComparison('lastName'),
      dateComparison('dateOfBirth'),
    ];
    const a = rec({ firstName: 'ann', lastName: 'lee', dateOfBirth: '1990-01-01' });
    const b = rec({ firstName: 'ann', lastName: null, dateOfBirth: '1990-01-02' });
    expect(evaluator.comparisonVector(comparisons, a, b)).toEqual([0, MISSING_LEVEL, 1]);
  });

  it('rejects level lists without a final else', () => {
    expect(() =>
      assertValidComparison({
        name: 'x',
        attribute: 'x',
        levels: [{ when: { type: 'exact' } }, { when: { type: 'exact' } }],
      }),
    ).toThrow(/else/);
    expect(() =>
      assertValidComparison({
        name: 'x',
        attribute: 'x',
        levels: [
          { when: { type: 'else' } },
          { when: { type: 'exact' } },
          { when: { type: 'else' } },
        ],
      }),
    ).toThrow(/else/);
    expect(() => assertValidComparison(nameComparison('firstName'))).not.toThrow();
  });
});
