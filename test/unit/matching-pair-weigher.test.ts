import { describe, expect, it } from 'vitest';
import { DEFAULT_MODEL } from '../../src/matching/model/default-model.js';
import {
  buildTermFrequencies,
  termFrequencyAttributes,
  vectorWeight,
  weightFromProbability,
} from '../../src/matching/scoring/fellegi-sunter.js';
import {
  type MatchRecord,
  normalizeRecord,
} from '../../src/matching/records/normalize-attributes.js';
import { createLevelEvaluator } from '../../src/matching/scoring/level-evaluation.js';
import { createPairWeigher } from '../../src/matching/scoring/pair-weigher.js';
import { createValueMemo } from '../../src/matching/records/value-memo.js';
import { generatePersonRecords } from '../support/person-records.js';

/** Seeded person records with typo'd, date-swapped and shortened duplicates. */
function records(): MatchRecord[] {
  return generatePersonRecords({ persons: 220, seed: 5 }).events.map((event, n) =>
    normalizeRecord({
      id: `r${n}`,
      attributes: event.attributes as Record<string, string>,
    }),
  );
}

describe('pair weigher', () => {
  // Decisions use the weigher; explanations and training use comparisonVector and vectorWeight.
  // A weighed pair must be the same to the bit, and a pair cut short must truly be below the floor.
  it.each([0.5, 0.95, 0.01])(
    'weighs every pair that can reach the floor exactly, and cuts only pairs below it (p = %s)',
    (threshold) => {
      const all = records();
      const termFrequencies = buildTermFrequencies(all, termFrequencyAttributes(DEFAULT_MODEL));
      const floor = weightFromProbability(threshold);
      const weigher = createPairWeigher(
        DEFAULT_MODEL,
        { termFrequencies },
        floor,
        createLevelEvaluator(createValueMemo()),
      );
      const evaluator = createLevelEvaluator(createValueMemo());
      let cut = 0;
      let weighed = 0;
      for (let i = 0; i < all.length; i++)
        for (let j = i + 1; j < all.length; j++) {
          const [a, b] = [all[i]!, all[j]!];
          const vector = evaluator.comparisonVector(DEFAULT_MODEL.comparisons, a, b);
          const weight = vectorWeight(DEFAULT_MODEL, vector, a, b, { termFrequencies });
          const result = weigher.weigh(a, b);
          if (result === undefined) {
            cut += 1;
            expect(weight).toBeLessThan(floor);
          } else {
            weighed += 1;
            expect(result.vector).toEqual(vector);
            expect(result.weight).toBe(weight);
          }
        }
      // Both branches ran: most random pairs are cut, the duplicates are weighed.
      expect(cut).toBeGreaterThan(weighed);
      expect(weighed).toBeGreaterThan(50);
    },
  );
});
