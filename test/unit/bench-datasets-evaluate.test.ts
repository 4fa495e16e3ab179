import { describe, expect, it } from 'vitest';
import {
  clusterMetrics,
  connectedComponents,
  countTruePairs,
  metricsFromCounts,
  pairwiseMetrics,
  type TruthRecord,
} from '../../bench/datasets/evaluate.js';

const truth: TruthRecord[] = [
  { id: 'a1', entity: 'A' },
  { id: 'a2', entity: 'A' },
  { id: 'a3', entity: 'A' },
  { id: 'b1', entity: 'B' },
  { id: 'b2', entity: 'B' },
  { id: 'c1', entity: 'C' },
];

describe('pairwise metrics', () => {
  it('counts true pairs from entity sizes', () => {
    expect(countTruePairs(truth, 'dedupe')).toBe(3 + 1);
  });

  it('scores predicted pairs; duplicates and reversed pairs count once; misses are false negatives', () => {
    const m = pairwiseMetrics(
      [
        ['a1', 'a2'],
        ['a2', 'a1'],
        ['a1', 'b1'],
        ['b2', 'b1'],
      ],
      truth,
      'dedupe',
    );
    expect(m).toMatchObject({ truePositives: 2, falsePositives: 1, falseNegatives: 2 });
    expect(m.precision).toBeCloseTo(2 / 3, 12);
    expect(m.recall).toBeCloseTo(0.5, 12);
    expect(m.f1).toBeCloseTo((2 * (2 / 3) * 0.5) / (2 / 3 + 0.5), 12);
  });

  it('in link mode counts only pairs across sources', () => {
    const linked: TruthRecord[] = [
      { id: 'l1', entity: 'A', source: 'l' },
      { id: 'l2', entity: 'A', source: 'l' },
      { id: 'r1', entity: 'A', source: 'r' },
      { id: 'r2', entity: 'B', source: 'r' },
    ];
    expect(countTruePairs(linked, 'link')).toBe(2);
    const m = pairwiseMetrics(
      [
        ['l1', 'l2'],
        ['l1', 'r1'],
      ],
      linked,
      'link',
    );
    expect(m).toMatchObject({ truePositives: 1, falsePositives: 0, falseNegatives: 1 });
  });

  it('defines empty predictions as precision 1 and recall 0', () => {
    expect(metricsFromCounts(0, 0, 4)).toMatchObject({ precision: 1, recall: 0, f1: 0 });
  });
});

describe('clustering', () => {
  it('connected components are transitive and named by their smallest id', () => {
    const clusters = connectedComponents(
      truth.map((t) => t.id),
      [
        ['a3', 'a2'],
        ['a2', 'b1'],
        ['b2', 'c1'],
      ],
    );
    expect(clusters.get('a3')).toBe('a2');
    expect(clusters.get('b1')).toBe('a2');
    expect(clusters.get('c1')).toBe('b2');
    expect(clusters.get('a1')).toBe('a1');
  });

  it('cluster metrics count every pair inside a predicted cluster', () => {
    const clusters = connectedComponents(
      truth.map((t) => t.id),
      [
        ['a1', 'a2'],
        ['a2', 'a3'],
        ['b1', 'c1'],
      ],
    );
    // Predicted pairs: a1a2 a1a3 a2a3 (all true), b1c1 (false). Missed: b1b2.
    expect(clusterMetrics(clusters, truth, 'dedupe')).toMatchObject({
      truePositives: 3,
      falsePositives: 1,
      falseNegatives: 1,
    });
  });
});
