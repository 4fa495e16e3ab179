import { describe, expect, it } from 'vitest';
import { MISSING_LEVEL } from '../../src/matching/scoring/comparison-levels.js';
import { exactComparison, nameComparison } from '../../src/matching/scoring/comparison-presets.js';
import { createLevelEvaluator } from '../../src/matching/scoring/level-evaluation.js';
import { createValueMemo } from '../../src/matching/records/value-memo.js';
import { DEFAULT_MODEL } from '../../src/matching/model/default-model.js';
import {
  assertValidModel,
  buildTermFrequencies,
  type FellegiSunterModel,
  probabilityFromWeight,
  scorePair,
  scoreVector,
  vectorWeight,
  weightFromProbability,
} from '../../src/matching/scoring/fellegi-sunter.js';
import {
  type MatchRecord,
  normalizeRecord,
} from '../../src/matching/records/normalize-attributes.js';

const evaluator = createLevelEvaluator(createValueMemo());

const model: FellegiSunterModel = {
  version: 'test-v1',
  lambda: 0.2,
  comparisons: [
    {
      ...exactComparison('lastName', { termFrequency: true }),
      levels: [
        { when: { type: 'exact' }, m: 0.9, u: 0.1 },
        { when: { type: 'else' }, m: 0.1, u: 0.9 },
      ],
    },
    {
      ...exactComparison('city'),
      levels: [
        { when: { type: 'exact' }, m: 0.8, u: 0.2 },
        { when: { type: 'else' }, m: 0.2, u: 0.8 },
      ],
    },
  ],
};

function rec(values: Record<string, string | null>, id = 'r'): MatchRecord {
  return { id, values };
}

describe('Fellegi–Sunter scoring', () => {
  it('weights are log2(m/u); the match weight adds the prior weight log2(lambda/(1-lambda))', () => {
    const score = scoreVector(model, [0, 1]);
    expect(score.priorWeight).toBeCloseTo(Math.log2(0.2 / 0.8), 12);
    expect(score.vector[0]!.weight).toBeCloseTo(Math.log2(9), 12);
    expect(score.vector[1]!.weight).toBeCloseTo(Math.log2(0.25), 12);
    expect(score.matchWeight).toBeCloseTo(Math.log2(0.25) + Math.log2(9) + Math.log2(0.25), 12);
  });

  it('probability is the Bayes posterior from the prior and the likelihood ratios', () => {
    const score = scoreVector(model, [0, 0]);
    const match = 0.2 * 0.9 * 0.8;
    const nonMatch = 0.8 * 0.1 * 0.2;
    expect(score.probability).toBeCloseTo(match / (match + nonMatch), 12);
    expect(probabilityFromWeight(0)).toBe(0.5);
    expect(probabilityFromWeight(2000)).toBe(1);
    expect(probabilityFromWeight(-2000)).toBe(0);
    expect(weightFromProbability(probabilityFromWeight(3.5))).toBeCloseTo(3.5, 9);
  });

  it('a missing value contributes weight 0 and is labelled missing', () => {
    const score = scorePair(
      model,
      rec({ lastName: 'lee', city: null }),
      rec({ lastName: 'lee', city: 'york' }),
      evaluator,
    );
    expect(score.vector[1]).toEqual({
      comparison: 'city',
      attribute: 'city',
      level: MISSING_LEVEL,
      label: 'missing',
      m: null,
      u: null,
      weight: 0,
    });
    expect(score.matchWeight).toBeCloseTo(score.priorWeight + Math.log2(9), 12);
  });

  it('explains each comparison with its level, m, u and weight, and names the model version', () => {
    const score = scorePair(
      model,
      rec({ lastName: 'lee', city: 'york' }),
      rec({ lastName: 'li', city: 'york' }),
      evaluator,
    );
    expect(score.modelVersion).toBe('test-v1');
    expect(score.vector.map((v) => [v.comparison, v.label, v.m, v.u])).toEqual([
      ['lastName', 'else', 0.1, 0.9],
      ['city', 'exact', 0.8, 0.2],
    ]);
    const sum = score.vector.reduce((s, v) => s + v.weight, score.priorWeight);
    expect(score.matchWeight).toBeCloseTo(sum, 12);
  });

  it('term frequencies make a rare exact match count more and a common one less', () => {
    const records = [
      ...Array.from({ length: 8 }, (_, i) => rec({ lastName: 'smith' }, `s${i}`)),
      rec({ lastName: 'zabinski' }, 'z1'),
      rec({ lastName: 'zabinski' }, 'z2'),
    ];
    const termFrequencies = buildTermFrequencies(records, ['lastName']);
    expect(termFrequencies.lastName!.get('smith')).toBeCloseTo(0.8, 12);
    const common = scorePair(model, records[0]!, records[1]!, evaluator, { termFrequencies });
    const rare = scorePair(model, records[8]!, records[9]!, evaluator, { termFrequencies });
    // u_tf = frequency of the value; adjustment = log2(u / u_tf).
    expect(common.vector[0]!.tfAdjustment).toBeCloseTo(Math.log2(0.1 / 0.8), 12);
    expect(rare.vector[0]!.tfAdjustment).toBeCloseTo(Math.log2(0.1 / 0.2), 12);
    expect(rare.vector[0]!.weight).toBeCloseTo(Math.log2(0.9 / 0.2), 12);
    // Without tables, or on a non-exact level, there is no adjustment.
    expect(
      scorePair(model, records[0]!, records[1]!, evaluator).vector[0]!.tfAdjustment,
    ).toBeUndefined();
    expect(
      scorePair(model, records[0]!, records[8]!, evaluator, { termFrequencies }).vector[0]!
        .tfAdjustment,
    ).toBeUndefined();
  });

  // The resolver decides on vectorWeight and explains only links and reviews: the two must agree
  // to the last bit, or a stored explanation could contradict the decision it explains.
  it('weighs a vector exactly as the explanation does, term frequencies included', () => {
    const names = ['smith', 'smyth', 'zabinski', null];
    const cities = ['sydney', 'perth', null];
    const records = names.flatMap((lastName, i) =>
      cities.map((city, j) => rec({ lastName, city }, `r${i}${j}`)),
    );
    const termFrequencies = buildTermFrequencies(records, ['lastName']);
    for (const a of records)
      for (const b of records) {
        const vector = evaluator.comparisonVector(model.comparisons, a, b);
        expect(vectorWeight(model, vector, a, b, { termFrequencies })).toBe(
          scorePair(model, a, b, evaluator, { termFrequencies }).matchWeight,
        );
      }
  });

  it('is symmetric', () => {
    const a = normalizeRecord({
      id: 'a',
      attributes: { firstName: 'Jon', lastName: 'Smith', dateOfBirth: '1980-01-02' },
    });
    const b = normalizeRecord({
      id: 'b',
      attributes: { firstName: 'John', lastName: 'Smyth', dateOfBirth: '1980-02-01' },
    });
    expect(scorePair(DEFAULT_MODEL, a, b, evaluator).matchWeight).toBeCloseTo(
      scorePair(DEFAULT_MODEL, b, a, evaluator).matchWeight,
      12,
    );
  });

  it('the default model is valid and separates a typo duplicate from a stranger', () => {
    expect(() => assertValidModel(DEFAULT_MODEL)).not.toThrow();
    const a = normalizeRecord({
      id: 'a',
      attributes: {
        firstName: 'Catherine',
        lastName: 'Jones',
        dateOfBirth: '1984-07-02',
        postcode: 'SW1A 1AA',
        city: 'London',
      },
    });
    const typo = normalizeRecord({
      id: 'b',
      attributes: {
        firstName: 'Kathryn',
        lastName: 'Jones',
        dateOfBirth: '1984-07-20',
        postcode: 'SW1A1AA',
        city: 'london',
      },
    });
    const stranger = normalizeRecord({
      id: 'c',
      attributes: {
        firstName: 'Peter',
        lastName: 'Jones',
        dateOfBirth: '1951-01-12',
        postcode: 'M1 1AE',
        city: 'Manchester',
      },
    });
    // Linked at the default auto threshold (MATCH_AUTO_THRESHOLD 0.95).
    expect(scorePair(DEFAULT_MODEL, a, typo, evaluator).probability).toBeGreaterThanOrEqual(0.95);
    expect(scorePair(DEFAULT_MODEL, a, stranger, evaluator).probability).toBeLessThan(0.001);
  });

  it('rejects invalid models', () => {
    expect(() => assertValidModel({ ...model, lambda: 0 })).toThrow(/lambda/);
    expect(() =>
      assertValidModel({ ...model, comparisons: [model.comparisons[0]!, model.comparisons[0]!] }),
    ).toThrow(/duplicate/);
    const broken = {
      ...nameComparison('x'),
      levels: nameComparison('x').levels.map((l) => ({ ...l, m: 0, u: 0.5 })),
    };
    expect(() => assertValidModel({ ...model, comparisons: [broken] })).toThrow(/m and u/);
  });
});
