import { describe, expect, it } from 'vitest';
import { DEFAULT_BLOCKING_RULES, DEFAULT_MODEL } from '../../src/matching/model/default-model.js';
import { createRecordMatcher } from '../../src/matching/record-matcher.js';
import { attributeWarnings } from '../../src/matching/records/attribute-warnings.js';
import { blockingKeys } from '../../src/matching/records/blocking.js';
import {
  type MatchRecord,
  normalizeDate,
} from '../../src/matching/records/normalize-attributes.js';
import { createValueMemo } from '../../src/matching/records/value-memo.js';
import { levelLabel, MISSING_LEVEL } from '../../src/matching/scoring/comparison-levels.js';
import { dateComparison } from '../../src/matching/scoring/comparison-presets.js';
import { createLevelEvaluator } from '../../src/matching/scoring/level-evaluation.js';
import { DEFAULT_HOUSEHOLD_ATTRIBUTES } from '../../src/matching/scoring/identity-evidence.js';

const date = dateComparison('dateOfBirth');
const evaluator = createLevelEvaluator(createValueMemo());

function level(a: string, b: string): string {
  const rec = (raw: string, id: string): MatchRecord => ({
    id,
    values: { dateOfBirth: normalizeDate(raw) },
  });
  const index = evaluator.compareAttribute(date, rec(a, 'a'), rec(b, 'b'));
  return index === MISSING_LEVEL ? 'missing' : levelLabel(date.levels[index]!.when);
}

describe('dates of birth that are not real dates', () => {
  it('are kept by normalisation as canonical text', () => {
    expect(normalizeDate('1856-86-18')).toBe('1856-86-18');
    expect(normalizeDate('1845-00-01')).toBe('1845-00-01');
    expect(normalizeDate('19561309')).toBe('1956-13-09');
    expect(normalizeDate('1956/2/30')).toBe('1956-02-30');
  });

  it('are compared as text: exact and edit distance hold, the date-only levels do not', () => {
    expect(level('1856-86-18', '1856-86-18')).toBe('exact');
    expect(level('18568618', '1856-86-18')).toBe('exact');
    expect(level('1856-86-18', '1856-06-18')).toBe('levenshtein<=1');
    expect(level('1845-00-01', '1845-00-02')).toBe('levenshtein<=1');
    // Day and month swapped, within 31 days, within a year: only between real dates.
    expect(level('1956-04-09', '1956-09-04')).toBe('day_month_swap');
    expect(level('1956-04-13', '1956-13-04')).toBe('else');
    expect(level('1956-02-28', '1956-03-10')).toBe('within_31_days');
    expect(level('1956-02-30', '1956-03-10')).toBe('else');
    expect(level('1956-02-28', '1957-05-10')).toBe('year_within_1');
    expect(level('1956-02-30', '1957-05-10')).toBe('else');
    expect(level('1956-13-09', '1957-05-10')).toBe('else');
  });

  it('block on their parts without throwing', () => {
    const record: MatchRecord = {
      id: 'r',
      values: { firstName: 'ann', lastName: 'lee', dateOfBirth: '1856-86-18' },
    };
    const keys = blockingKeys(record, [
      ...DEFAULT_BLOCKING_RULES,
      { name: 'dob_parts', keys: ['dateOfBirth:year', 'dateOfBirth:month', 'dateOfBirth:day'] },
    ]);
    expect(keys).toContain('dob:1856-86-18');
    expect(keys).toContain('dob_parts:1856|86|18');
    expect(keys.some((key) => key.startsWith('surname_dm_yob:') && key.endsWith('|1856'))).toBe(
      true,
    );
  });

  it("still match their record's duplicate through the matcher", () => {
    const matcher = createRecordMatcher({
      modelFile: { model: DEFAULT_MODEL },
      secret: 'unit-test-secret-0123',
      autoThreshold: 0.95,
      reviewThreshold: 0.5,
      maxCandidates: 200,
      maxBlockSize: 5000,
      householdAttributes: DEFAULT_HOUSEHOLD_ATTRIBUTES,
    });
    const person = {
      firstName: 'Ann',
      lastName: 'Lee',
      dateOfBirth: '1856-86-18',
      postcode: '2000',
    };
    const left = matcher.toRecord('a', 'crm', person)!;
    const right = matcher.toRecord('b', 'shop', { ...person, firstName: 'Anne' })!;
    expect(
      matcher.blocks(left).filter((b) => matcher.blocks(right).some((r) => r.hash === b.hash)),
    ).not.toHaveLength(0);
    const { vector, probability } = matcher.weigh(left, right)!;
    expect(matcher.decide(probability, vector)).toEqual({ decision: 'link' });
  });
});

describe('attribute warnings', () => {
  it('name the attributes whose values are dirty, never the values', () => {
    expect(
      attributeWarnings({
        firstName: 'Ann',
        dateOfBirth: '1856-86-18',
        gender: 'femme',
        lastName: '---',
      }),
    ).toEqual(['dateOfBirth', 'gender', 'lastName']);
    expect(attributeWarnings({ dateOfBirth: '1845-00-01' })).toEqual(['dateOfBirth']);
    expect(attributeWarnings({ dateOfBirth: '19561309' })).toEqual(['dateOfBirth']);
    // Shapes normalisation does not read (day first is ambiguous) are missing, and dirty.
    expect(attributeWarnings({ dateOfBirth: '24/06/1971' })).toEqual(['dateOfBirth']);
  });

  it('leave clean, blank, absent and plainly unknown values alone', () => {
    expect(
      attributeWarnings({
        firstName: 'Ann',
        dateOfBirth: '1956-04-09',
        gender: 'F',
        postcode: '',
        city: '  ',
        street: null,
        streetNumber: 12,
        loyalty: true,
      }),
    ).toEqual([]);
    expect(attributeWarnings({ dateOfBirth: '19560409', gender: 'unknown' })).toEqual([]);
    expect(attributeWarnings({ gender: 'n/a' })).toEqual([]);
    // The raw `address` is not read: the name is the derived attribute's.
    expect(attributeWarnings({ address: '---' })).toEqual([]);
  });

  it("follow the kinds of a model file's extra attributes", () => {
    expect(attributeWarnings({ enrolled: '2020-02-30' })).toEqual([]);
    expect(
      attributeWarnings({ enrolled: '2020-02-30' }, { attributeKinds: { enrolled: 'date' } }),
    ).toEqual(['enrolled']);
    const matcher = createRecordMatcher({
      modelFile: { model: DEFAULT_MODEL, attributeKinds: { enrolled: 'date' } },
      secret: 'unit-test-secret-0123',
      autoThreshold: 0.95,
      reviewThreshold: 0.5,
      maxCandidates: 200,
      maxBlockSize: 5000,
      householdAttributes: [],
    });
    expect(matcher.attributeWarnings({ enrolled: '2020-02-30', gender: 'q' })).toEqual([
      'enrolled',
      'gender',
    ]);
  });
});
