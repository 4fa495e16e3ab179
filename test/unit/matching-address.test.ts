import { describe, expect, it } from 'vitest';
import { DEFAULT_MODEL } from '../../src/matching/model/default-model.js';
import { parseModelFile, serializeModelFile } from '../../src/matching/model/model-file.js';
import { parseRecordValues, serializeRecordValues } from '../../src/matching/record-matcher.js';
import { packAddress } from '../../src/matching/records/derived-address.js';
import {
  type MatchRecord,
  normalizeRecord,
} from '../../src/matching/records/normalize-attributes.js';
import { createValueMemo } from '../../src/matching/records/value-memo.js';
import { levelLabel, MISSING_LEVEL } from '../../src/matching/scoring/comparison-levels.js';
import { addressComparison } from '../../src/matching/scoring/comparison-presets.js';
import { scorePair } from '../../src/matching/scoring/fellegi-sunter.js';
import { createLevelEvaluator } from '../../src/matching/scoring/level-evaluation.js';
import { estimateU } from '../../src/matching/training/u-estimation.js';

type Address = { postcode?: string; city?: string; street?: string; streetNumber?: string };

const record = (attributes: Address & Record<string, string>, id = 'r'): MatchRecord =>
  normalizeRecord({ id, attributes });

const home: Address = {
  postcode: '4711',
  city: 'Ashford',
  street: 'High Street',
  streetNumber: '12',
};

const comparison = addressComparison();

/** The level label the address comparison gives two addresses (either order: it is symmetric). */
function level(a: Address, b: Address, memo = createValueMemo()): string {
  const evaluator = createLevelEvaluator(memo);
  const left = record(a, 'a');
  const right = record(b, 'b');
  const index = evaluator.compareAttribute(comparison, left, right);
  expect(evaluator.compareAttribute(comparison, right, left)).toBe(index);
  return index === MISSING_LEVEL ? 'missing' : levelLabel(comparison.levels[index]!.when);
}

describe('the derived address', () => {
  it('packs the normalised parts into one value, and none when every part is missing', () => {
    const values = record({ ...home, city: ' ashford ', street: 'High St.' }).values;
    expect(values.address).toBe(packAddress(values));
    expect(values.address?.split('\u001f')).toEqual(['4711', 'ashford', 'high st', '12']);
    expect(record({ city: 'Ashford' }).values.address?.split('\u001f')).toEqual([
      '',
      'ashford',
      '',
      '',
    ]);
    expect(record({ firstName: 'Ann' }).values.address).toBeNull();
  });

  it('is derived again when a stored record is read, never stored, and not taken from input', () => {
    const made = record({ ...home, firstName: 'Ann', address: '1 Other Road' });
    expect(made.values.address).toBe(packAddress(made.values));
    const stored = serializeRecordValues(made);
    expect(JSON.parse(stored)).not.toHaveProperty('address');
    const read = parseRecordValues('r', 'crm', stored);
    expect(read.values).toEqual(made.values);
    // A record stored with a raw `address` attribute compares on its parts all the same.
    const old = parseRecordValues('r', 'crm', JSON.stringify({ ...home, address: '1 other road' }));
    expect(old.values.address).toBe(packAddress(old.values));
  });
});

describe('the address comparison', () => {
  it('same dwelling: exact when every part is equal, same_dwelling with a street typo', () => {
    expect(level(home, { ...home })).toBe('exact');
    expect(level(home, { ...home, street: 'Hgh Street' })).toBe('same_dwelling');
    // A city spelled differently under the same postcode is still the same dwelling.
    expect(level(home, { ...home, city: 'Ashford Town' })).toBe('same_dwelling');
  });

  it('neighbours with different numbers are on the same street, not a near-exact match', () => {
    expect(level(home, { ...home, streetNumber: '14' })).toBe('same_street');
    expect(level(home, { ...home, streetNumber: undefined })).toBe('same_street');
  });

  it('same place only: another street of the town', () => {
    expect(level(home, { ...home, street: 'Church Lane' })).toBe('same_place');
    expect(level(home, { ...home, street: undefined, streetNumber: undefined })).toBe('same_place');
  });

  it('falls back to the city when either side has no postcode', () => {
    expect(level(home, { ...home, postcode: undefined })).toBe('same_dwelling');
    expect(level({ ...home, postcode: undefined }, { ...home, postcode: undefined })).toBe('exact');
    expect(level(home, { ...home, postcode: undefined, city: 'Bramley' })).toBe('else');
  });

  it('two postcodes that differ are two places, whatever the city and street say', () => {
    expect(level(home, { ...home, postcode: '4720' })).toBe('else');
    expect(level(home, { ...home, postcode: '4720', street: 'Church Lane' })).toBe('else');
  });

  it('is missing when either record has no address part', () => {
    expect(level(home, {})).toBe('missing');
  });

  it('honours a stricter street similarity', () => {
    const strict = addressComparison({ streetMin: 0.99 });
    const evaluator = createLevelEvaluator(createValueMemo());
    const index = evaluator.compareAttribute(
      strict,
      record(home),
      record({ ...home, street: 'Hgh Street' }),
    );
    expect(levelLabel(strict.levels[index]!.when)).toBe('same_place');
    expect(strict.levels.map((l) => levelLabel(l.when))).toEqual([
      'exact',
      'same_dwelling_street_jw>=0.99',
      'same_street_street_jw>=0.99',
      'same_place',
      'else',
    ]);
  });

  it('reads the parts through the value memo, which forgets them and compares the same after', () => {
    const memo = createValueMemo();
    expect(level(home, { ...home, streetNumber: '14' }, memo)).toBe('same_street');
    expect(memo.size).toBe(2);
    memo.forget();
    expect(memo.size).toBe(0);
    expect(level(home, { ...home, streetNumber: '14' }, memo)).toBe('same_street');
  });
});

describe('address comparisons in models', () => {
  it('are read from model files, and refused on another attribute or with a bad similarity', () => {
    const json = JSON.parse(serializeModelFile({ model: DEFAULT_MODEL })) as {
      model: { comparisons: { attribute: string; levels: { when: Record<string, unknown> }[] }[] };
    };
    expect(parseModelFile(json).model).toEqual(DEFAULT_MODEL);
    const index = json.model.comparisons.findIndex((c) => c.attribute === 'address');
    const elsewhere = structuredClone(json);
    elsewhere.model.comparisons[index]!.attribute = 'postcode';
    expect(() => parseModelFile(elsewhere)).toThrow(/address levels compare the attribute/);
    const badMin = structuredClone(json);
    badMin.model.comparisons[index]!.levels[1]!.when.streetMin = 1.5;
    expect(() => parseModelFile(badMin)).toThrow(/streetMin/);
    const badMatch = structuredClone(json);
    badMatch.model.comparisons[index]!.levels[1]!.when.match = 'house';
    expect(() => parseModelFile(badMatch)).toThrow(/match/);
  });

  it('the default model compares the address once, instead of postcode, street, number and city', () => {
    expect(DEFAULT_MODEL.version).toBe('default-person-v3');
    expect(DEFAULT_MODEL.comparisons.map((c) => c.attribute)).toEqual([
      'firstName',
      'lastName',
      'dateOfBirth',
      'gender',
      'address',
    ]);
    // One shared dwelling adds one level's weight, bounded: less than a birth date agreeing.
    const evaluator = createLevelEvaluator(createValueMemo());
    const score = scorePair(DEFAULT_MODEL, record(home), record({ ...home }), evaluator);
    const address = score.vector.find((c) => c.attribute === 'address')!;
    expect(address.label).toBe('exact');
    expect(score.matchWeight).toBeCloseTo(score.priorWeight + address.weight, 10);
    const dob = DEFAULT_MODEL.comparisons.find((c) => c.attribute === 'dateOfBirth')!;
    expect(address.weight).toBeLessThan(Math.log2(dob.levels[0]!.m / dob.levels[0]!.u));
    // Weights fall from the exact address to a shared town, which is no evidence for a match.
    const weights = DEFAULT_MODEL.comparisons
      .find((c) => c.attribute === 'address')!
      .levels.map((l) => Math.log2(l.m / l.u));
    expect(weights).toEqual([...weights].sort((a, b) => b - a));
    expect(weights[3]).toBeLessThanOrEqual(0);
  });

  it('u is estimated on the derived address of records made and read back', () => {
    const made = [
      home,
      { ...home },
      { ...home, street: 'Hgh Street' },
      { ...home, streetNumber: '14' },
      { ...home, street: 'Church Lane' },
      { ...home, postcode: '4720', city: 'Bramley' },
    ].map((address, i) => record(address, `r${i}`));
    const read = made.map((r) => parseRecordValues(r.id, 'crm', serializeRecordValues(r)));
    // All 15 pairs: 1 exact, 2 same dwelling, 3 same street, 4 same place, 5 else.
    const expected = [1, 2, 3, 4, 5].map((count) => count / 15);
    for (const records of [made, read])
      expect(estimateU(records, [comparison], { mode: 'dedupe' }).u[0]).toEqual(expected);
  });
});
