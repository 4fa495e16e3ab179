import { describe, expect, it } from 'vitest';
import { DEFAULT_MODEL } from '../../src/matching/model/default-model.js';
import { createRecordMatcher, type MatcherSettings } from '../../src/matching/record-matcher.js';
import type { MatchRecord } from '../../src/matching/records/normalize-attributes.js';
import type { ComparisonDefinition } from '../../src/matching/scoring/comparison-levels.js';
import {
  codeComparison,
  exactComparison,
  textComparison,
} from '../../src/matching/scoring/comparison-presets.js';
import type { FellegiSunterModel } from '../../src/matching/scoring/fellegi-sunter.js';
import {
  expandExplanation,
  modelTemplate,
  storedExplanation,
} from '../../src/matching/scoring/explanation.js';
import {
  DEFAULT_HOUSEHOLD_ATTRIBUTES,
  identityEvidenceCheck,
} from '../../src/matching/scoring/identity-evidence.js';

const settings: MatcherSettings = {
  secret: 'unit-test-secret-0123',
  autoThreshold: 0.95,
  reviewThreshold: 0.5,
  maxCandidates: 200,
  maxBlockSize: 5000,
  householdAttributes: DEFAULT_HOUSEHOLD_ATTRIBUTES,
};

/**
 * A model that counts one address four times (postcode, street, house number and city compared
 * apart, with nationwide u), as the built-in model did: surname and address alone reach the auto
 * threshold.
 */
const credulous: FellegiSunterModel = {
  version: 'credulous-v1',
  lambda: 1e-4,
  comparisons: [
    ...DEFAULT_MODEL.comparisons.filter((c) => c.attribute !== 'address'),
    withParameters(
      codeComparison('postcode'),
      [0.75, 0.08, 0.03, 0.14],
      [0.001, 0.01, 0.05, 0.939],
    ),
    withParameters(
      textComparison('street'),
      [0.72, 0.08, 0.05, 0.15],
      [0.0005, 0.001, 0.02, 0.9785],
    ),
    withParameters(exactComparison('streetNumber'), [0.75, 0.25], [0.02, 0.98]),
    withParameters(textComparison('city'), [0.78, 0.05, 0.02, 0.15], [0.01, 0.002, 0.01, 0.978]),
  ],
};

function withParameters(definition: ComparisonDefinition, m: number[], u: number[]) {
  return {
    ...definition,
    levels: definition.levels.map((level, i) => ({ ...level, m: m[i]!, u: u[i]! })),
  };
}

const address = {
  street: 'High Street',
  streetNumber: '12',
  city: 'Ashford',
  postcode: '4711',
};
const mother = { firstName: 'Mary', lastName: 'Fischer', dateOfBirth: '1961-04-09', ...address };
const son = { firstName: 'Tobias', lastName: 'Fischer', dateOfBirth: '1990-11-23', ...address };

function matcherWith(overrides: Partial<MatcherSettings> = {}, model = DEFAULT_MODEL) {
  return createRecordMatcher({ ...settings, modelFile: { model }, ...overrides });
}

function verdict(
  matcher: ReturnType<typeof matcherWith>,
  a: Record<string, unknown>,
  b: Record<string, unknown>,
) {
  const left = matcher.toRecord('a', 'crm', a)!;
  const right = matcher.toRecord('b', 'shop', b)!;
  const score = matcher.score(left, right);
  return {
    score,
    ...matcher.decide(
      score.probability,
      score.vector.map((c) => c.level),
    ),
  };
}

describe('identity evidence', () => {
  it('keeps a household apart: same surname and address, other first name and birth date', () => {
    // The default model does not even review them.
    expect(verdict(matcherWith(), mother, son).decision).toBe('none');
    // A model that scores them above the auto threshold gets a review, held, not a link.
    const held = verdict(matcherWith({}, credulous), mother, son);
    expect(held.score.probability).toBeGreaterThanOrEqual(settings.autoThreshold);
    expect(held).toMatchObject({ decision: 'review', held: 'identity_evidence' });
    // Turned off (MATCH_HOUSEHOLD_ATTRIBUTES=none), the probability decides alone.
    expect(verdict(matcherWith({ householdAttributes: [] }, credulous), mother, son)).toMatchObject(
      {
        decision: 'link',
      },
    );
    expect(
      verdict(matcherWith({ householdAttributes: [] }, credulous), mother, son),
    ).not.toHaveProperty('held');
  });

  it('links a duplicate with a typo, whichever of name, surname or street has it', () => {
    for (const typo of [
      { firstName: 'Marry' },
      { lastName: 'Fischr' },
      { street: 'Hihg Street' },
      { firstName: 'Mray', street: 'High Stret' },
    ]) {
      const result = verdict(matcherWith(), mother, { ...mother, ...typo });
      expect(result, JSON.stringify(typo)).toEqual({ score: result.score, decision: 'link' });
    }
  });

  it('takes either identity attribute as evidence, and a missing one as none', () => {
    const matcher = matcherWith({}, credulous);
    // Birth date agrees, first name is a nickname: linked.
    expect(verdict(matcher, mother, { ...mother, firstName: 'Polly' }).decision).toBe('link');
    // First name agrees, birth date is another: linked.
    expect(verdict(matcher, mother, { ...mother, dateOfBirth: '1961-09-30' }).decision).toBe(
      'link',
    );
    // No birth date on one side and a different first name: no evidence, held.
    const { dateOfBirth: _, ...undated } = son;
    expect(verdict(matcher, mother, undated)).toMatchObject({
      decision: 'review',
      held: 'identity_evidence',
    });
    // A first name only Jaro–Winkler >= 0.7 alike is a level with m < u: no evidence.
    expect(verdict(matcher, mother, { ...son, firstName: 'Maria' }).held).toBeUndefined();
    expect(verdict(matcher, mother, { ...son, firstName: 'Marta' })).toMatchObject({
      held: 'identity_evidence',
    });
  });

  it('leaves the review band and the rest to the probability', () => {
    const matcher = matcherWith();
    const vector = DEFAULT_MODEL.comparisons.map(() => -1);
    expect(matcher.decide(0.6, vector)).toEqual({ decision: 'review' });
    expect(matcher.decide(0.4, vector)).toEqual({ decision: 'none' });
    expect(matcher.decide(0.99, vector)).toEqual({
      decision: 'review',
      held: 'identity_evidence',
    });
  });

  it('refuses household attributes that leave the model nothing that identifies a person', () => {
    const everything = DEFAULT_MODEL.comparisons.map((c) => c.attribute);
    expect(() => matcherWith({ householdAttributes: everything })).toThrow(/compares nothing else/);
    // One identifying comparison left is enough.
    expect(() =>
      matcherWith({ householdAttributes: everything.filter((a) => a !== 'firstName') }),
    ).not.toThrow();
    expect(identityEvidenceCheck(DEFAULT_MODEL, [])).toBeUndefined();
  });

  it('says why a pair was held in its stored explanation, without values', () => {
    const matcher = matcherWith({}, credulous);
    const left: MatchRecord = matcher.toRecord('a', 'crm', mother)!;
    const right: MatchRecord = matcher.toRecord('b', 'crm', son)!;
    const { vector, probability } = matcher.weigh(left, right)!;
    const { held } = matcher.decide(probability, vector);
    const stored = storedExplanation(matcher.explain(left, right, vector), held);
    expect(stored).not.toMatch(/fischer|mary|tobias|high/i);
    const explained = expandExplanation(stored, modelTemplate(credulous).json);
    expect(explained).toMatchObject({ held: 'identity_evidence', probability });
    const linked = expandExplanation(
      storedExplanation(matcher.explain(left, left, vector)),
      modelTemplate(credulous).json,
    );
    expect(linked).not.toHaveProperty('held');
  });
});
