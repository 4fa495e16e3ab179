import { describe, expect, it } from 'vitest';
import {
  parseScopedId,
  qualifies,
  scopedComponents,
  scopedPersonId,
  type ScopeLink,
} from '../../src/persons/scoped-view.js';

const ids = ['email:a', 'phone:b', 'cookie_id:c', 'crm_id:d'].map((key, i) => ({
  key,
  createdAt: i,
  ref: `ref-${i}`,
}));
const link = (
  fromKey: string,
  toKey: string,
  confidence: number,
  purposes: string[],
  status = 'active',
): ScopeLink => ({
  fromKey,
  toKey,
  confidence,
  purposes,
  status,
});
// a - b (0.95, advertising), b - c (0.6, advertising), a - d (1.0, analytics only)
const links = [
  link('email:a', 'phone:b', 0.95, ['advertising']),
  link('phone:b', 'cookie_id:c', 0.6, ['advertising']),
  link('email:a', 'crm_id:d', 1, ['analytics']),
];
const groups = (scope: Parameters<typeof scopedComponents>[2]) =>
  scopedComponents(ids, links, scope)
    .map((c) => [...c.keys].sort().join(','))
    .sort();

describe('scoped views', () => {
  it('without a scope, the person is whole and keeps its id', () => {
    const [whole] = scopedComponents(ids, links, {});
    expect(whole!.keys.size).toBe(4);
    expect(scopedPersonId('per_1', whole!, 4)).toBe('per_1');
  });

  it('minConfidence cuts the person where a weaker link held it together', () => {
    expect(groups({ minConfidence: 0.9 })).toEqual(['cookie_id:c', 'crm_id:d,email:a,phone:b']);
    expect(groups({ minConfidence: 0.99 })).toEqual(['cookie_id:c', 'crm_id:d,email:a', 'phone:b']);
  });

  it('purpose cuts the person along links whose evidence did not consent', () => {
    expect(groups({ purpose: 'advertising' })).toEqual(['cookie_id:c,email:a,phone:b', 'crm_id:d']);
    expect(groups({ purpose: 'advertising', minConfidence: 0.9 })).toEqual([
      'cookie_id:c',
      'crm_id:d',
      'email:a,phone:b',
    ]);
  });

  it('never lets a refused link qualify', () => {
    expect(qualifies(link('a', 'b', 1, ['advertising'], 'refused'), {})).toBe(false);
  });

  it('gives each part a stable scoped id anchored on its oldest identifier', () => {
    const parts = scopedComponents(ids, links, { minConfidence: 0.9 });
    const scopedIds = parts.map((p) => scopedPersonId('per_1', p, 4));
    expect(new Set(scopedIds).size).toBe(2);
    for (const id of scopedIds) expect(parseScopedId(id).personId).toBe('per_1');
    expect(
      scopedComponents(ids, [...links].reverse(), { minConfidence: 0.9 })
        .map((p) => scopedPersonId('per_1', p, 4))
        .sort(),
    ).toEqual([...scopedIds].sort());
  });
});
