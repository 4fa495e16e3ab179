import { describe, expect, it } from 'vitest';
import { MAX_BLOCKING_RULES } from '../../src/matching/records/blocking.js';
import {
  lateBlocks,
  type MatchLogRow,
  matchLogEntry,
} from '../../src/resolver/record-matching/match-log.js';

/** Eight slots, rule k's key at k. */
const slots = (keys: Record<number, number>): (number | null)[] =>
  Array.from({ length: MAX_BLOCKING_RULES }, (_, rule) => keys[rule] ?? null);

describe('matching log', () => {
  it('logs the records that have keys, with one slot per rule and -1 for none', () => {
    const entry = matchLogEntry(
      [
        { id: 'rec_a', source: 'crm' },
        { id: 'rec_b', source: 'shop' },
        { id: 'rec_c', source: 'crm' },
      ],
      [slots({ 0: 11, 3: 2 ** 47 }), slots({}), slots({ 7: 5 })],
    );
    // rec_b refused identity_linking (no keys): it is never anybody's candidate.
    expect(entry.records).toEqual(['rec_a', 'rec_c']);
    expect(entry.sources).toEqual(['crm', 'crm']);
    expect(entry.keys).toEqual([
      11,
      -1,
      -1,
      2 ** 47,
      -1,
      -1,
      -1,
      -1,
      -1,
      -1,
      -1,
      -1,
      -1,
      -1,
      -1,
      5,
    ]);
  });

  it("finds the records another batch filed under a record's key of the same rule", () => {
    const other = matchLogEntry(
      [
        { id: 'rec_x', source: 'shop' },
        { id: 'rec_y', source: 'crm' },
        { id: 'rec_z', source: 'shop' },
      ],
      [slots({ 0: 100, 1: 7 }), slots({ 1: 7 }), slots({ 2: 100 })],
    );
    const logs: MatchLogRow[] = [[4, other.records, other.sources, other.keys]];
    const batch = {
      records: [
        { id: 'rec_a', source: 'crm' },
        { id: 'rec_b', source: 'crm' },
      ],
      // rec_a shares rule 0's key with rec_x; rec_b shares rule 1's key with rec_x and rec_y.
      // Key 100 under rule 2 (rec_z) is another block: same number, other rule.
      slotsOf: [slots({ 0: 100 }), slots({ 1: 7, 2: 55 })],
    };
    const found = lateBlocks(logs, { ...batch, linkOnly: false })
      .map((b) => ({ ...b, ids: [...b.ids].sort() }))
      .sort((a, b) => a.position - b.position);
    expect(found).toEqual([
      { position: 0, rule: 0, key: 100, ids: ['rec_x'] },
      { position: 1, rule: 1, key: 7, ids: ['rec_x', 'rec_y'] },
    ]);
    // Linking two sources only: rec_y has rec_b's source.
    const linkOnly = lateBlocks(logs, { ...batch, linkOnly: true }).find((b) => b.position === 1);
    expect([...linkOnly!.ids]).toEqual(['rec_x']);
  });

  it('never names the record itself, and refuses an entry whose lists disagree', () => {
    const own = matchLogEntry([{ id: 'rec_a', source: 'crm' }], [slots({ 0: 9 })]);
    const batch = { records: [{ id: 'rec_a', source: 'crm' }], slotsOf: [slots({ 0: 9 })] };
    expect(
      lateBlocks([[1, own.records, own.sources, own.keys]], { ...batch, linkOnly: false }),
    ).toEqual([]);
    expect(() => lateBlocks([[1, ['rec_q'], ['crm'], [9]]], { ...batch, linkOnly: false })).toThrow(
      /one source and one key slot/,
    );
  });
});
