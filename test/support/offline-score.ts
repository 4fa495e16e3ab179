import type { IdentityEvent } from '../../src/events/event-schema.js';
import { DEFAULT_MODEL } from '../../src/matching/model/default-model.js';
import { normalizeRecord } from '../../src/matching/records/normalize-attributes.js';
import { createValueMemo } from '../../src/matching/records/value-memo.js';
import { scorePair } from '../../src/matching/scoring/fellegi-sunter.js';
import { createLevelEvaluator } from '../../src/matching/scoring/level-evaluation.js';

/**
 * A pair of events' attributes scored offline with the built-in default model, as the service
 * scores them: scenarios check their pair's probability first, so that a model change cannot
 * silently move a pair out of the band a scenario is about.
 */

export type Attributes = NonNullable<IdentityEvent['attributes']>;

const evaluator = createLevelEvaluator(createValueMemo());

export const offlineScore = (a: Attributes, b: Attributes) =>
  scorePair(
    DEFAULT_MODEL,
    normalizeRecord({ id: 'a', attributes: a as Record<string, string> }),
    normalizeRecord({ id: 'b', attributes: b as Record<string, string> }),
    evaluator,
  );

export const offlineProbability = (a: Attributes, b: Attributes) => offlineScore(a, b).probability;
