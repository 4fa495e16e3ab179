import { describe, expect, it } from 'vitest';
import { DEFAULT_MODEL } from '../../src/matching/model/default-model.js';
import { createRecordMatcher } from '../../src/matching/record-matcher.js';
import { createKeyedHash, termFrequencyKey } from '../../src/matching/records/keyed-hash.js';
import { termFrequencyAttributes } from '../../src/matching/scoring/fellegi-sunter.js';
import { hashTermFrequencies } from '../../src/matching/scoring/term-frequency-tables.js';
import { commonTermFrequencies } from '../../src/matching/training/model-training.js';
import { generatePersonRecords } from '../support/person-records.js';

/**
 * Term frequencies kept by keyed hash score a pair exactly as the table of values they were made
 * from, and hold no value.
 */

const SECRET = 'term-frequency-test-secret-0123';

function matcherSettings() {
  return {
    secret: SECRET,
    autoThreshold: 0.95,
    reviewThreshold: 0.5,
    maxCandidates: 200,
    maxBlockSize: 5000,
    householdAttributes: [],
  };
}

describe('hashed term-frequency tables', () => {
  const plain = createRecordMatcher(matcherSettings());
  const records = generatePersonRecords({ persons: 300, seed: 11 })
    .events.map((e, n) => plain.toRecord(`r${n}`, 'crm', e.attributes as Record<string, unknown>))
    .filter((r) => r !== undefined);
  const tables = commonTermFrequencies(records, termFrequencyAttributes(DEFAULT_MODEL), 3);

  it('scores every pair as the table of values does, and adjusts common values', () => {
    const byValue = createRecordMatcher({
      ...matcherSettings(),
      modelFile: { model: DEFAULT_MODEL, termFrequencies: tables },
    });
    const byHash = createRecordMatcher({
      ...matcherSettings(),
      hashedTermFrequencies: hashTermFrequencies(tables, createKeyedHash(SECRET)),
    });
    let adjusted = 0;
    for (let i = 0; i < records.length; i += 1)
      for (let j = i + 1; j < records.length; j += 7) {
        const [a, b] = [records[i]!, records[j]!];
        const expected = byValue.score(a, b);
        expect(byHash.score(a, b)).toEqual(expected);
        expect(byHash.weigh(a, b)).toEqual(byValue.weigh(a, b));
        if (expected.vector.some((c) => c.tfAdjustment !== undefined)) adjusted += 1;
      }
    expect(adjusted).toBeGreaterThan(0);
    // The hashes are memoised with the other values, and forgotten with them.
    expect(byHash.memoisedValues()).toBeGreaterThan(0);
    byHash.forgetValues();
    expect(byHash.memoisedValues()).toBe(0);
  });

  it('holds hashes and shares only, and finds nothing under another secret', () => {
    const hashed = hashTermFrequencies(tables, createKeyedHash(SECRET));
    const stored = JSON.stringify(hashed);
    for (const table of Object.values(tables))
      for (const value of Object.keys(table)) expect(stored).not.toContain(value);
    const firstNames = Object.entries(tables.firstName!);
    expect(hashed.firstName!.hashes).toHaveLength(firstNames.length);
    // Ascending hashes, each with its value's share.
    const [value, share] = firstNames[0]!;
    const hash = createKeyedHash(SECRET)(termFrequencyKey('firstName', value));
    expect(hashed.firstName!.hashes).toEqual([...hashed.firstName!.hashes].sort((x, y) => x - y));
    expect(hashed.firstName!.shares[hashed.firstName!.hashes.indexOf(hash)]).toBe(share);

    // Under another secret no value is found: every pair scores with the level u.
    const adjustedUnder = (secret: string) => {
      const matcher = createRecordMatcher({
        ...matcherSettings(),
        secret,
        hashedTermFrequencies: hashed,
      });
      return records.filter((r) =>
        matcher.score(r, r).vector.some((c) => c.tfAdjustment !== undefined),
      ).length;
    };
    expect(adjustedUnder(SECRET)).toBeGreaterThan(records.length / 2);
    expect(adjustedUnder('another-secret-entirely-0123456')).toBe(0);
  });
});
