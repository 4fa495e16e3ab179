import { describe, expect, it } from 'vitest';
import { type RevertLink, revertSides } from '../../src/manual/revert-rule.js';

const link = (id: string, fromKey: string, toKey: string, confidence = 1, createdAt = 0) =>
  ({ id, fromKey, toKey, confidence, createdAt }) satisfies RevertLink;

describe('revertSides', () => {
  it('withdraws only the links between the two seeded sides when nothing joined since', () => {
    const { sideOf, withdrawn } = revertSides(
      ['a1', 'a2', 's1', 's2'],
      [link('l1', 'a1', 'a2'), link('l2', 's1', 's2'), link('m', 'a1', 's1')],
      { absorbed: new Set(['a1', 'a2']), survivor: new Set(['s1', 's2']) },
    );
    expect(withdrawn.map((l) => l.id)).toEqual(['m']);
    expect(Object.fromEntries(sideOf)).toEqual({
      a1: 'absorbed',
      a2: 'absorbed',
      s1: 'survivor',
      s2: 'survivor',
    });
  });

  it('gives a later identifier to the side of its most confident link, whatever the order given', () => {
    const links = [
      link('weak', 'n', 's', 0.6),
      link('strong', 'a', 'n', 0.9),
      link('merge', 'a', 's', 1),
    ];
    for (const order of [links, [...links].reverse()]) {
      const { sideOf, withdrawn } = revertSides(['a', 'n', 's'], order, {
        absorbed: new Set(['a']),
        survivor: new Set(['s']),
      });
      expect(sideOf.get('n')).toBe('absorbed');
      expect(withdrawn.map((l) => l.id).sort()).toEqual(['merge', 'weak']);
    }
  });

  it('breaks ties of confidence by the older link, then the smaller id', () => {
    const older = revertSides(
      ['a', 'n', 's'],
      [link('x', 'n', 's', 0.8, 1), link('y', 'a', 'n', 0.8, 2)],
      { absorbed: new Set(['a']), survivor: new Set(['s']) },
    );
    expect(older.sideOf.get('n')).toBe('survivor');
    const byId = revertSides(
      ['a', 'n', 's'],
      [link('y', 'n', 's', 0.8, 1), link('x', 'a', 'n', 0.8, 1)],
      { absorbed: new Set(['a']), survivor: new Set(['s']) },
    );
    expect(byId.sideOf.get('n')).toBe('absorbed');
    expect(byId.withdrawn.map((l) => l.id)).toEqual(['y']);
  });

  it('follows chains of later identifiers and leaves unreached ones with the survivor', () => {
    const { sideOf, withdrawn } = revertSides(
      ['a', 'n1', 'n2', 's', 'lone'],
      [link('1', 'a', 'n1', 0.7), link('2', 'n1', 'n2', 0.7), link('3', 'n2', 's', 0.5)],
      { absorbed: new Set(['a']), survivor: new Set(['s']) },
    );
    expect([sideOf.get('n1'), sideOf.get('n2'), sideOf.get('lone')]).toEqual([
      'absorbed',
      'absorbed',
      'survivor',
    ]);
    expect(withdrawn.map((l) => l.id)).toEqual(['3']);
  });
});
