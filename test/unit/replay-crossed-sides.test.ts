import { describe, expect, it } from 'vitest';
import { crossedSides } from '../../src/replay/replay-decisions.js';

const link = (fromKey: string, toKey: string) => ({ fromKey, toKey });

describe('the sides a replayed split’s withdrawn links crossed', () => {
  it('puts the ends of an anchor’s withdrawn links on the side facing it', () => {
    // A split that parted {a, b} from {c, d}: a, the event's anchor, lost its links to c and d.
    const side = crossedSides([link('a', 'c'), link('a', 'd')]);
    expect(side.get('c')).toBe(side.get('d'));
    expect(side.get('a')).not.toBe(side.get('c'));
  });

  it('colours the pairs of an event linked pairwise the same way', () => {
    const side = crossedSides([link('a', 'c'), link('a', 'd'), link('b', 'c'), link('b', 'd')]);
    expect(side.get('a')).toBe(side.get('b'));
    expect(side.get('c')).toBe(side.get('d'));
    expect(side.get('a')).not.toBe(side.get('c'));
  });

  it('never puts identifiers of links that do not connect on one side, nor those links contradict', () => {
    const apart = crossedSides([link('a', 'c'), link('b', 'd')]);
    expect(new Set(apart.values()).size).toBe(4);
    const odd = crossedSides([link('a', 'b'), link('b', 'c'), link('a', 'c')]);
    expect([odd.get('b'), odd.get('c')]).toEqual([undefined, undefined]);
  });
});
