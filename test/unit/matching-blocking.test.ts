import { describe, expect, it } from 'vitest';
import {
  blockingKeys,
  type BlockingRule,
  compileBlockingRules,
  generateCandidatePairs,
  totalPairs,
} from '../../src/matching/records/blocking.js';
import { DEFAULT_BLOCKING_RULES } from '../../src/matching/model/default-model.js';
import {
  type MatchRecord,
  normalizeRecord,
} from '../../src/matching/records/normalize-attributes.js';

function person(id: string, attributes: Record<string, string>, source?: string): MatchRecord {
  return normalizeRecord({ id, attributes, ...(source ? { source } : {}) });
}

describe('blocking keys', () => {
  const rules: BlockingRule[] = [
    { name: 'surname_dm_yob', keys: ['lastName:dmetaphone', 'dateOfBirth:year'] },
    { name: 'postcode_first_initial', keys: ['postcode', 'firstName:initial'] },
  ];
  const smith = person('1', {
    firstName: 'John',
    lastName: 'Smith',
    dateOfBirth: '1980-05-17',
    postcode: 'SW1A 1AA',
  });

  it('derives one key per applicable rule, prefixed by the rule name', () => {
    expect(blockingKeys(smith, rules)).toEqual([
      'surname_dm_yob:SM0|1980',
      'postcode_first_initial:sw1a1aa|j',
    ]);
  });

  it('gives spelling variants the same phonetic key', () => {
    const smyth = person('2', { firstName: 'Jon', lastName: 'Smyth', dateOfBirth: '1980-01-01' });
    expect(blockingKeys(smyth, DEFAULT_BLOCKING_RULES)[0]).toBe(
      blockingKeys(smith, DEFAULT_BLOCKING_RULES)[0],
    );
  });

  it('skips a rule when any part is missing', () => {
    const noDob = person('3', { firstName: 'John', lastName: 'Smith', postcode: 'SW1A 1AA' });
    expect(blockingKeys(noDob, rules)).toEqual(['postcode_first_initial:sw1a1aa|j']);
  });

  it('supports date parts and prefixes, and unordered parts for swapped fields', () => {
    const more: BlockingRule[] = [
      { name: 'ym', keys: ['dateOfBirth:year', 'dateOfBirth:month', 'dateOfBirth:day'] },
      { name: 'pc', keys: ['postcode:prefix3'] },
      { name: 'names', keys: ['firstName', 'lastName'], unordered: true },
    ];
    const swapped = person('4', { firstName: 'Smith', lastName: 'John' });
    expect(blockingKeys(smith, more)).toEqual(['ym:1980|05|17', 'pc:sw1', 'names:john|smith']);
    expect(blockingKeys(swapped, more)).toEqual(['names:john|smith']);
  });

  it('escapes the separator so different value tuples never share a key', () => {
    const pair: BlockingRule[] = [{ name: 'x', keys: ['a', 'b'] }];
    const k1 = blockingKeys({ id: '1', values: { a: 'p|q', b: 'r' } }, pair);
    const k2 = blockingKeys({ id: '2', values: { a: 'p', b: 'q|r' } }, pair);
    expect(k1).not.toEqual(k2);
  });

  it('rejects malformed rules', () => {
    expect(() => compileBlockingRules([{ name: 'bad name', keys: ['x'] }])).toThrow(/name/);
    expect(() =>
      compileBlockingRules([
        { name: 'a', keys: ['x'] },
        { name: 'a', keys: ['y'] },
      ]),
    ).toThrow(/duplicate/);
    expect(() => compileBlockingRules([{ name: 'a', keys: ['x:soundex'] }])).toThrow(
      /unknown transform/,
    );
    expect(() => compileBlockingRules([{ name: 'a', keys: [] }])).toThrow(/no key parts/);
  });
});

describe('candidate pairs', () => {
  const rules: BlockingRule[] = [
    { name: 'last', keys: ['lastName'] },
    { name: 'pc', keys: ['postcode'] },
  ];
  const records = [
    person('a', { lastName: 'lee', postcode: '1000' }),
    person('b', { lastName: 'lee', postcode: '2000' }),
    person('c', { lastName: 'kim', postcode: '1000' }),
    person('d', { lastName: 'lee', postcode: '1000' }),
    person('e', { lastName: 'roe' }),
  ];

  it('pairs records sharing any key, once, attributed to the first rule that found them', () => {
    const result = generateCandidatePairs(records, rules, { mode: 'dedupe' });
    expect(result.pairs).toEqual([
      { left: 0, right: 1, rule: 0 },
      { left: 0, right: 2, rule: 1 },
      { left: 0, right: 3, rule: 0 },
      { left: 1, right: 3, rule: 0 },
      { left: 2, right: 3, rule: 1 },
    ]);
    expect([...result.candidatesPerRecord]).toEqual([3, 2, 2, 3, 0]);
    expect(result.pairsByRule).toEqual({ last: 3, pc: 2 });
    expect(result.cappedRecords).toBe(0);
  });

  it('caps candidates per record, preferring earlier rules, and reports the uncapped count', () => {
    const result = generateCandidatePairs(records, rules, {
      mode: 'dedupe',
      maxCandidatesPerRecord: 1,
    });
    expect([...result.candidatesPerRecord]).toEqual([3, 2, 2, 3, 0]);
    expect(result.cappedRecords).toBe(4);
    // a takes b (rule last), b takes a, c takes a (its only rule-pc block mate first), d takes a.
    expect(result.pairs.map((p) => [p.left, p.right])).toEqual([
      [0, 1],
      [0, 2],
      [0, 3],
    ]);
    for (let i = 0; i < records.length; i += 1) {
      const taken = result.pairs.filter((p) => p.left === i || p.right === i).length;
      expect(taken).toBeLessThanOrEqual(records.length);
    }
  });

  it('in link mode pairs only across sources', () => {
    const linked = records.map((r, i) => ({ ...r, source: i % 2 === 0 ? 'x' : 'y' }));
    const result = generateCandidatePairs(linked, rules, { mode: 'link' });
    expect(result.pairs.every((p) => linked[p.left]!.source !== linked[p.right]!.source)).toBe(
      true,
    );
    // b (y) shares nothing with a record from x but a; c (x) only its postcode with d (y).
    expect(result.pairs.map((p) => [p.left, p.right])).toEqual([
      [0, 1],
      [0, 3],
      [2, 3],
    ]);
    expect(totalPairs(linked, 'link')).toBe(6);
    expect(totalPairs(records, 'dedupe')).toBe(10);
  });
});
