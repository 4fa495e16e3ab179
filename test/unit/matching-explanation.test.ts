import { describe, expect, it } from 'vitest';
import { DEFAULT_MODEL } from '../../src/matching/model/default-model.js';
import {
  expandExplanation,
  modelTemplate,
  storedExplanation,
} from '../../src/matching/scoring/explanation.js';
import {
  buildTermFrequencies,
  scorePair,
  termFrequencyAttributes,
} from '../../src/matching/scoring/fellegi-sunter.js';
import { createLevelEvaluator } from '../../src/matching/scoring/level-evaluation.js';
import { normalizeRecord } from '../../src/matching/records/normalize-attributes.js';
import { createValueMemo } from '../../src/matching/records/value-memo.js';

const evaluator = createLevelEvaluator(createValueMemo());

const record = (id: string, attributes: Record<string, string>) =>
  normalizeRecord({ id, attributes });

const ann = record('a', {
  firstName: 'Ann',
  lastName: 'Zabinski',
  dateOfBirth: '1980-02-03',
  postcode: '2600',
  city: 'Canberra',
});
const annAgain = record('b', {
  firstName: 'Anne',
  lastName: 'Zabinski',
  dateOfBirth: '1980-03-02',
  postcode: '2600',
  street: 'Banks Street',
});

describe('stored explanations', () => {
  it('give back the whole score, term frequencies and missing values included, with the template', () => {
    const others = [ann, annAgain, record('c', { lastName: 'Smith', postcode: '2600' })];
    const termFrequencies = buildTermFrequencies(others, termFrequencyAttributes(DEFAULT_MODEL));
    const score = scorePair(DEFAULT_MODEL, ann, annAgain, evaluator, { termFrequencies });
    // The pair exercises every kind of entry: adjusted, plain, missing.
    expect(score.vector.some((c) => c.tfAdjustment !== undefined)).toBe(true);
    expect(score.vector.some((c) => c.label === 'missing')).toBe(true);

    const stored = storedExplanation(score);
    // No value and no model parameter is stored with the pair.
    expect(stored).not.toMatch(/zabinski|anne?|2600|canberra|"m"|"u"/i);
    expect(stored.length).toBeLessThan(400);
    expect(expandExplanation(stored, modelTemplate(DEFAULT_MODEL).json)).toEqual({
      modelVersion: score.modelVersion,
      probability: score.probability,
      matchWeight: score.matchWeight,
      priorWeight: score.priorWeight,
      comparisons: score.vector,
    });
  });

  it('passes explanations stored whole by earlier versions through, and needs the template otherwise', () => {
    const score = scorePair(DEFAULT_MODEL, ann, annAgain, evaluator);
    const whole = JSON.stringify({
      modelVersion: score.modelVersion,
      matchWeight: score.matchWeight,
      probability: score.probability,
      priorWeight: score.priorWeight,
      comparisons: score.vector,
    });
    expect(expandExplanation(whole, null)).toEqual(JSON.parse(whole));
    expect(expandExplanation(storedExplanation(score), null)).toBeNull();
  });

  it('tells models apart by their parameters, not by their version', () => {
    const same = modelTemplate({ ...DEFAULT_MODEL });
    const other = modelTemplate({ ...DEFAULT_MODEL, lambda: DEFAULT_MODEL.lambda / 2 });
    expect(same.checksum).toBe(modelTemplate(DEFAULT_MODEL).checksum);
    expect(other.checksum).not.toBe(same.checksum);
  });
});
