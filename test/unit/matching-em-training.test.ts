import { describe, expect, it } from 'vitest';
import { MISSING_LEVEL } from '../../src/matching/scoring/comparison-levels.js';
import {
  dateComparison,
  exactComparison,
  nameComparison,
} from '../../src/matching/scoring/comparison-presets.js';
import { createLevelEvaluator } from '../../src/matching/scoring/level-evaluation.js';
import { createValueMemo } from '../../src/matching/records/value-memo.js';
import { createRandom } from '../../src/matching/training/random-source.js';
import { expectationMaximisation } from '../../src/matching/training/expectation-maximisation.js';
import {
  estimateLambda,
  trainModel,
  withStartingParameters,
} from '../../src/matching/training/train-model.js';
import { estimateU } from '../../src/matching/training/u-estimation.js';
import {
  type FellegiSunterModel,
  type ModelComparison,
  scorePair,
} from '../../src/matching/scoring/fellegi-sunter.js';
import type { MatchRecord } from '../../src/matching/records/normalize-attributes.js';
import { estimateUInParallel } from '../../src/matching/training/parallel-u.js';

const evaluator = createLevelEvaluator(createValueMemo());

/** Draws a level index from a discrete distribution. */
function draw(random: () => number, probabilities: readonly number[]): number {
  let r = random();
  for (let i = 0; i < probabilities.length; i += 1) {
    r -= probabilities[i]!;
    if (r < 0) return i;
  }
  return probabilities.length - 1;
}

describe('createRandom', () => {
  it('is deterministic per seed and uniform-ish in [0, 1)', () => {
    const a = createRandom(42);
    const b = createRandom(42);
    const xs = Array.from({ length: 10_000 }, () => a());
    expect(Array.from({ length: 10_000 }, () => b())).toEqual(xs);
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(1);
    expect(xs.reduce((s, x) => s + x, 0) / xs.length).toBeCloseTo(0.5, 1);
    expect(createRandom(43)()).not.toBe(xs[0]);
  });
});

describe('expectation maximisation', () => {
  // Known truth: three conditionally independent comparisons.
  const truth = {
    lambda: 0.3,
    m: [
      [0.85, 0.1, 0.05],
      [0.7, 0.2, 0.1],
      [0.9, 0.1],
    ],
    u: [
      [0.02, 0.08, 0.9],
      [0.05, 0.15, 0.8],
      [0.1, 0.9],
    ],
  };
  const definitions = [nameComparison('a'), nameComparison('b'), exactComparison('c')].map(
    (d, i) => ({
      ...d,
      levels: d.levels.slice(0, truth.m[i]!.length - 1).concat(d.levels.at(-1)!),
    }),
  );

  function synthetic(n: number, seed: number): number[][] {
    const random = createRandom(seed);
    return Array.from({ length: n }, () => {
      const match = random() < truth.lambda;
      return truth.m.map((m, i) => draw(random, match ? m : truth.u[i]!));
    });
  }

  it('recovers known m and lambda with u fixed, from a poor start', () => {
    const start = withStartingParameters(definitions).map((c, i): ModelComparison => ({
      ...c,
      levels: c.levels.map((l, j) => ({ ...l, u: truth.u[i]![j]! })),
    }));
    const result = expectationMaximisation({ comparisons: start }, synthetic(20_000, 7), {
      initialLambda: 0.5,
      maxIterations: 200,
      tolerance: 1e-6,
    });
    expect(result.converged).toBe(true);
    expect(result.lambda).toBeCloseTo(truth.lambda, 1);
    expect(Math.abs(result.lambda - truth.lambda)).toBeLessThan(0.02);
    result.m.forEach((levels, i) =>
      levels!.forEach((m, j) => expect(Math.abs(m - truth.m[i]![j]!)).toBeLessThan(0.03)),
    );
    expect(result.u).toEqual([null, null, null]);
  });

  it('leaves excluded comparisons out: not scored, not updated', () => {
    const start = withStartingParameters(definitions);
    const result = expectationMaximisation({ comparisons: start }, synthetic(2_000, 3), {
      initialLambda: 0.3,
      exclude: new Set(['c']),
    });
    expect(result.m[2]).toBeNull();
    expect(result.m[0]).not.toBeNull();
  });

  it('stops at maxIterations when not converged', () => {
    const start = withStartingParameters(definitions);
    const result = expectationMaximisation({ comparisons: start }, synthetic(2_000, 3), {
      initialLambda: 0.5,
      maxIterations: 2,
      tolerance: 0,
    });
    expect(result).toMatchObject({ iterations: 2, converged: false });
  });
});

/** People with 1–3 noisy copies each; noisy copies get a typo'd name or a shifted birth day. */
function syntheticPeople(count: number, seed: number): MatchRecord[] {
  const random = createRandom(seed);
  const firsts = [
    'anna',
    'ben',
    'carla',
    'dmitri',
    'emma',
    'farid',
    'grace',
    'hugo',
    'ines',
    'jonas',
    'karen',
    'liam',
  ];
  const lasts = [
    'novak',
    'okafor',
    'patel',
    'quinn',
    'rossi',
    'schmidt',
    'tanaka',
    'usman',
    'vargas',
    'weber',
    'xu',
    'young',
    'zhang',
    'abbott',
    'becker',
  ];
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
  const records: MatchRecord[] = [];
  for (let p = 0; p < count; p += 1) {
    const first = pick(firsts);
    const last = pick(lasts);
    const dob = `19${50 + Math.floor(random() * 50)}-0${1 + Math.floor(random() * 9)}-1${Math.floor(random() * 9)}`;
    const copies = 1 + Math.floor(random() * 3);
    for (let c = 0; c < copies; c += 1) {
      const typo = c > 0 && random() < 0.3;
      records.push({
        id: `p${p}-${c}`,
        values: {
          firstName: typo ? `${first}${first.at(-1)!}` : first,
          lastName: last,
          dateOfBirth:
            c > 0 && random() < 0.2 ? `${dob.slice(0, 9)}${(Number(dob.at(-1)) + 1) % 10}` : dob,
        },
      });
    }
  }
  return records;
}

describe('estimateU', () => {
  const comparisons = withStartingParameters([exactComparison('x')]);
  const records: MatchRecord[] = ['a', 'a', 'b', 'c'].map((x, i) => ({
    id: `${i}`,
    values: { x },
  }));

  it('uses every pair when the sample covers the comparison space', () => {
    // 6 pairs, one agrees.
    expect(estimateU(records, comparisons, { mode: 'dedupe' })).toEqual({
      u: [[1 / 6, 5 / 6]],
      pairs: 6,
    });
  });

  it('in link mode counts only pairs across sources', () => {
    // l: a, b; r: a, c. Cross-source pairs: a-a (agrees), a-c, b-a, b-c.
    const linked = records.map((r, i) => ({ ...r, source: i % 2 === 0 ? 'l' : 'r' }));
    expect(estimateU(linked, comparisons, { mode: 'link' })).toEqual({
      u: [[1 / 4, 3 / 4]],
      pairs: 4,
    });
  });

  it('samples deterministically given a seed', () => {
    const people = syntheticPeople(300, 11);
    const comps = withStartingParameters([nameComparison('firstName')]);
    const a = estimateU(people, comps, { mode: 'dedupe', maxPairs: 5_000, seed: 9 });
    expect(estimateU(people, comps, { mode: 'dedupe', maxPairs: 5_000, seed: 9 })).toEqual(a);
    expect(a.pairs).toBe(5_000);
    // 12 first names, roughly uniform: about 1/12 of random pairs agree exactly.
    expect(a.u[0]![0]!).toBeGreaterThan(0.05);
    expect(a.u[0]![0]!).toBeLessThan(0.12);
  });

  // A chunk's pairs are counted a block at a time (65,536 pairs): a chunk spanning several blocks
  // must count every pair once, as a plain double loop does.
  it('counts every pair once when the pairs of a chunk fill several blocks', () => {
    const people = syntheticPeople(1_100, 5);
    const comps = withStartingParameters([nameComparison('firstName')]);
    const expected = comps.map((c) => c.levels.map(() => 0));
    for (let i = 0; i < people.length; i += 1)
      for (let j = i + 1; j < people.length; j += 1)
        comps.forEach((c, index) => {
          const level = evaluator.compareAttribute(c, people[i]!, people[j]!);
          if (level !== MISSING_LEVEL) expected[index]![level]! += 1;
        });
    const pairs = (people.length * (people.length - 1)) / 2;
    // 604,450 pairs in eight chunks: ~75,000 a chunk.
    const { u, pairs: counted } = estimateU(people, comps, { mode: 'dedupe', maxPairs: pairs });
    expect(counted).toBe(pairs);
    u.forEach((levels, index) => {
      const present = expected[index]!.reduce((sum, c) => sum + c, 0);
      expect(levels).toEqual(expected[index]!.map((c) => Math.max(c, 1) / present));
    });
  });

  it('gives the same u on worker threads as on one thread, sampled or exhaustive', async () => {
    const people = syntheticPeople(300, 11);
    const comps = withStartingParameters([
      nameComparison('firstName'),
      dateComparison('dateOfBirth'),
    ]);
    const sampled = { mode: 'dedupe', maxPairs: 5_001, seed: 9 } as const;
    const alone = estimateU(people, comps, sampled);
    expect(alone.pairs).toBe(5_001);
    expect(await estimateUInParallel(people, comps, { ...sampled, threads: 2 })).toEqual(alone);
    expect(await estimateUInParallel(people, comps, { ...sampled, threads: 3 })).toEqual(alone);
    // Fewer pairs than asked for: every pair is counted once, the chunks splitting the records.
    const everyPair = { mode: 'dedupe', maxPairs: 10 ** 6 } as const;
    const all = await estimateUInParallel(people, comps, { ...everyPair, threads: 2 });
    expect(all.pairs).toBe((people.length * (people.length - 1)) / 2);
    expect(all).toEqual(estimateU(people, comps, everyPair));
  });
});

describe('trainModel', () => {
  const records = syntheticPeople(400, 5);
  const start: FellegiSunterModel = {
    version: 'start',
    lambda: 0.01,
    comparisons: withStartingParameters([
      nameComparison('firstName'),
      nameComparison('lastName'),
      dateComparison('dateOfBirth'),
    ]),
  };
  const options = {
    mode: 'dedupe' as const,
    version: 'synthetic-v1',
    lambda: {
      rules: [{ name: 'all', keys: ['firstName', 'lastName', 'dateOfBirth'] }],
      recall: 0.6,
    },
    emRules: [
      { name: 'dob', keys: ['dateOfBirth'] },
      { name: 'names', keys: ['firstName', 'lastName'] },
    ],
    seed: 3,
    uMaxPairs: 20_000,
  };

  it('trains a model that links copies and separates strangers, deterministically', () => {
    const { model, report } = trainModel(records, start, options);
    expect(model.version).toBe('synthetic-v1');
    expect(report.sessions.map((s) => [s.rule, s.trained])).toEqual([
      ['dob', ['firstName', 'lastName']],
      ['names', ['dateOfBirth']],
    ]);
    expect(trainModel(records, start, options).model).toEqual(model);
    const byId = new Map(records.map((r) => [r.id, r]));
    const copy = scorePair(model, byId.get('p0-0')!, { ...byId.get('p0-0')!, id: 'x' }, evaluator);
    expect(copy.probability).toBeGreaterThan(0.99);
    const stranger = records.find((r) => r.values.lastName !== byId.get('p0-0')!.values.lastName)!;
    expect(scorePair(model, byId.get('p0-0')!, stranger, evaluator).probability).toBeLessThan(0.01);
    // Agreement is evidence for a match and disagreement against, on every comparison. (Exact is
    // not always the strongest level: with only 12 first names, a typo'd name is rarer by chance.)
    for (const comparison of model.comparisons) {
      const weights = comparison.levels.map((l) => Math.log2(l.m / l.u));
      expect(weights[0]).toBeGreaterThan(0);
      expect(weights.at(-1)).toBeLessThan(0);
    }
  });

  it('estimates lambda from deterministic rules over all pairs and their recall', () => {
    const tiny: MatchRecord[] = ['a', 'a', 'b', 'c'].map((x, i) => ({ id: `${i}`, values: { x } }));
    // 1 pair found of 6, assumed to be half of all matches.
    expect(
      estimateLambda(tiny, [{ name: 'x', keys: ['x'] }], { mode: 'dedupe', recall: 0.5 }),
    ).toBeCloseTo(1 / 3, 12);
  });
});
