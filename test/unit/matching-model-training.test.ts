import { describe, expect, it } from 'vitest';
import { DEFAULT_BLOCKING_RULES, DEFAULT_MODEL } from '../../src/matching/model/default-model.js';
import { createRandom } from '../../src/matching/training/random-source.js';
import { parseModelFile, serializeModelFile } from '../../src/matching/model/model-file.js';
import {
  commonTermFrequencies,
  MIN_TRAINING_RECORDS,
  TrainingDataError,
  trainModelFile,
} from '../../src/matching/training/model-training.js';
import {
  type MatchRecord,
  normalizeRecord,
} from '../../src/matching/records/normalize-attributes.js';

const FIRST = [
  'anna',
  'ben',
  'carla',
  'dmitri',
  'elena',
  'farid',
  'greta',
  'hugo',
  'ines',
  'jonas',
];
const LAST = ['meyer', 'novak', 'okafor', 'perez', 'quinn', 'rossi', 'silva', 'tanaka', 'ulrich'];

/** `persons` people, the first `duplicates` of them twice (every third copy with a first-name typo). */
function population(persons: number, duplicates: number, seed = 3): MatchRecord[] {
  const random = createRandom(seed);
  const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)]!;
  const records: MatchRecord[] = [];
  for (let p = 0; p < persons; p += 1) {
    const attributes = {
      firstName: pick(FIRST),
      lastName: pick(LAST),
      dateOfBirth: `19${50 + Math.floor(random() * 50)}-0${1 + Math.floor(random() * 9)}-1${Math.floor(random() * 10)}`,
      city: pick(['berlin', 'lyon', 'porto']),
    };
    records.push(normalizeRecord({ id: `p${p}`, source: 'crm', attributes }));
    if (p < duplicates) {
      const copy =
        p % 3 === 0 ? { ...attributes, firstName: `${attributes.firstName}x${p}` } : attributes;
      records.push(normalizeRecord({ id: `p${p}-dup`, source: 'web', attributes: copy }));
    }
  }
  return records;
}

const options = {
  version: 'unit-trained',
  seed: 1,
  uPairs: 100_000,
  recall: 0.8,
  minTermFrequencyCount: 5,
  trainedAt: new Date('2026-03-01T10:00:00Z'),
};
const active = { model: DEFAULT_MODEL, blockingRules: DEFAULT_BLOCKING_RULES };

describe('training a model file', () => {
  it('keeps only term-frequency values held by at least k records, as shares of present values', () => {
    const records = ['a', 'a', 'a', 'b', null, 'c', 'c'].map((firstName, i) => ({
      id: String(i),
      values: { firstName, lastName: null },
    }));
    expect(commonTermFrequencies(records, ['firstName', 'lastName'], 2)).toEqual({
      firstName: { a: 3 / 6, c: 2 / 6 },
    });
    expect(commonTermFrequencies(records, ['firstName'], 4)).toEqual({});
  });

  it('trains the active comparisons and keeps rules, kinds and mode', () => {
    const records = population(300, 60);
    const result = trainModelFile(
      records,
      { ...active, attributeKinds: { nationalId: 'code' } },
      options,
    );
    const file = parseModelFile(JSON.parse(serializeModelFile(result.file)));
    expect(file.model.version).toBe('unit-trained');
    expect(file.model.comparisons.map((c) => c.name)).toEqual(
      DEFAULT_MODEL.comparisons.map((c) => c.name),
    );
    expect(file.blockingRules).toEqual(DEFAULT_BLOCKING_RULES);
    expect(file.attributeKinds).toEqual({ nationalId: 'code' });
    expect(file.model.lambda).toBeGreaterThan(0);
    expect(file.model.lambda).toBeLessThan(1);
    const firstName = file.model.comparisons.find((c) => c.name === 'firstName')!;
    expect(firstName.levels[0]!.m).toBeGreaterThan(firstName.levels.at(-1)!.m);
    expect(result.deterministicPairs).toBeGreaterThan(0);
    // The address comparison reads the derived address, here a city alone.
    expect(result.withoutData).toEqual(['gender']);
    // Ten first names over 360 records: all common. The address has no term frequencies.
    expect(Object.keys(file.termFrequencies!.firstName!).sort()).toEqual(FIRST);
    expect(file.termFrequencies!.address).toBeUndefined();
    expect(result.termFrequencyValues).toEqual({ firstName: 10, lastName: 9 });
    expect(file.training).toMatchObject({
      trainedAt: '2026-03-01T10:00:00.000Z',
      records: 360,
      startedFrom: DEFAULT_MODEL.version,
      seed: 1,
      deterministicPairs: result.deterministicPairs,
    });
  });

  it('is deterministic given the records and the seed', () => {
    const records = population(200, 40);
    const a = serializeModelFile(trainModelFile(records, active, options).file);
    const b = serializeModelFile(trainModelFile(records, active, options).file);
    expect(a).toBe(b);
  });

  it('refuses too few records, and data where lambda cannot be estimated', () => {
    expect(() => trainModelFile(population(MIN_TRAINING_RECORDS - 1, 0), active, options)).toThrow(
      TrainingDataError,
    );
    expect(() => trainModelFile(population(150, 0), active, options)).toThrow(
      /lambda cannot be estimated/,
    );
  });
});
