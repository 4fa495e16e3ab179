import { describe, expect, it } from 'vitest';
import { MAX_BLOCKING_RULES } from '../../src/matching/records/blocking.js';
import {
  type BatchRecord,
  type BlockProbes,
  type BlockRead,
  blockProbes,
  candidatePools,
  cappedCandidates,
  cutByRule,
} from '../../src/resolver/record-matching/batch-blocks.js';
import { createRuleCounts } from '../../src/resolver/record-matching/rule-counts.js';
import { emptyMatching } from '../../src/resolver/batch-outcome.js';
import { prng } from '../support/identity-generator.js';

/** Eight slots, rule k's key at k. */
const slots = (keys: Record<number, number>): (number | null)[] =>
  Array.from({ length: MAX_BLOCKING_RULES }, (_, rule) => keys[rule] ?? null);

const SEPARATOR = ' ';

/** What write/claim-records reads of the committed records for each probe, by rule. */
function readCommitted(
  committed: readonly BatchRecord[],
  probes: BlockProbes,
  maxBlock: number,
  linkOnly: boolean,
): BlockRead[][] {
  return probes.keys.map((keys, rule) =>
    keys.map((key, n): BlockRead => {
      const source = probes.sources[rule]![n];
      const block = committed.filter((c) => c.slots[rule] === key).slice(0, maxBlock + 1);
      const named = block.filter((c) => !linkOnly || c.source !== source);
      const ids = block.length <= maxBlock ? named.map((c) => SEPARATOR + c.id).join('') : '';
      return [n, block.length, ids];
    }),
  );
}

/**
 * What the single statement answered before: every record of the graph and the batch in one
 * index, the batch's records candidates of each other, counted, capped and ordered in Cypher.
 */
function reference(
  committed: readonly BatchRecord[],
  batch: readonly BatchRecord[],
  settings: { maxBlock: number; cap: number; linkOnly: boolean },
) {
  const all = [...committed, ...batch];
  const rows: { position: number; found: number; ids: string[]; sizes: [number, number][] }[] = [];
  batch.forEach((r, position) => {
    const pool = new Map<string, number>();
    const sizes: [number, number][] = [];
    r.slots.forEach((key, rule) => {
      if (key === null) return;
      const block = all.filter((c) => c.slots[rule] === key).slice(0, settings.maxBlock + 1);
      sizes.push([rule, block.length]);
      if (block.length > settings.maxBlock) return;
      for (const c of block) {
        if (c.id === r.id || (settings.linkOnly && c.source === r.source)) continue;
        pool.set(c.id, Math.min(pool.get(c.id) ?? rule, rule));
      }
    });
    if (sizes.length === 0) return;
    const keyOf = new Map(all.map((c) => [c.id, c.key]));
    const ordered = [...pool]
      .sort(([a, ra], [b, rb]) => ra - rb || (keyOf.get(a)! < keyOf.get(b)! ? -1 : 1))
      .map(([id]) => id);
    rows.push({
      position,
      found: pool.size,
      ids: pool.size > settings.cap ? ordered.slice(0, settings.cap) : [...pool.keys()],
      sizes,
    });
  });
  return rows;
}

function population(seed: number, committedCount: number, batchCount: number) {
  // Seeded, so a failure can be replayed.
  const next = prng(seed);
  const pick = (n: number) => Math.floor(next() * n);
  const record = (prefix: string, n: number): BatchRecord => {
    // Few keys per rule, so blocks are shared, grow past maxBlock, and records exceed the cap.
    const keys: Record<number, number> = {};
    for (let rule = 0; rule < 4; rule++) if (next() < 0.8) keys[rule] = pick(6) + 2 ** 40;
    // Some records refuse identity_linking: no keys at all.
    return {
      id: `rec_${prefix}${n}`,
      key: `${['crm', 'shop'][pick(2)]}/e${pick(1000)}-${prefix}${n}`,
      source: ['crm', 'shop'][pick(2)]!,
      slots: next() < 0.1 ? slots({}) : slots(keys),
    };
  };
  return {
    committed: Array.from({ length: committedCount }, (_, n) => record('c', n)),
    batch: Array.from({ length: batchCount }, (_, n) => record('b', n)),
  };
}

describe('batch blocks', () => {
  it('reads each distinct block once, and once per source in link mode', () => {
    const batch: BatchRecord[] = [
      { id: 'rec_a', key: 'crm/1', source: 'crm', slots: slots({ 0: 7, 2: 9 }) },
      { id: 'rec_b', key: 'shop/1', source: 'shop', slots: slots({ 0: 7, 2: 8 }) },
      { id: 'rec_c', key: 'crm/2', source: 'crm', slots: slots({ 0: 7 }) },
      { id: 'rec_d', key: 'crm/3', source: 'crm', slots: slots({}) },
    ];
    const dedupe = blockProbes(batch, false);
    expect(dedupe.probes.keys.slice(0, 3)).toEqual([[7], [], [9, 8]]);
    expect(dedupe.probes.sources.every((s) => s.length === 0)).toBe(true);
    expect(dedupe.probeOf[2]![0]).toBe(0);
    expect(dedupe.probeOf[1]![2]).toBe(1);
    expect(dedupe.probeOf[3]!.every((n) => n === -1)).toBe(true);
    const link = blockProbes(batch, true);
    expect(link.probes.keys.slice(0, 3)).toEqual([[7, 7], [], [9, 8]]);
    expect(link.probes.sources.slice(0, 3)).toEqual([['crm', 'shop'], [], ['crm', 'shop']]);
    expect(link.probeOf[2]![0]).toBe(0);
  });

  it('adds the batch to the committed blocks: sizes, skipped blocks, the lowest rule, the record itself left out', () => {
    const committed: BatchRecord[] = [
      { id: 'rec_x', key: 'crm/x', source: 'crm', slots: slots({ 0: 7 }) },
      { id: 'rec_y', key: 'crm/y', source: 'crm', slots: slots({ 1: 5 }) },
    ];
    const batch: BatchRecord[] = [
      { id: 'rec_a', key: 'crm/1', source: 'crm', slots: slots({ 0: 7, 1: 5 }) },
      { id: 'rec_b', key: 'crm/2', source: 'crm', slots: slots({ 0: 7, 1: 5 }) },
    ];
    const settings = { maxBlock: 2, cap: 10, linkOnly: false, separator: SEPARATOR };
    const { probes, probeOf } = blockProbes(batch, false);
    const pools = candidatePools(
      batch,
      probeOf,
      readCommitted(committed, probes, settings.maxBlock, false),
      settings,
    );
    // Rule 0's block holds rec_x and the two batch records: 3 > maxBlock, skipped; rule 1's is
    // rec_y and the two, also skipped. With maxBlock 3 both count, rec_b from rule 0.
    expect(pools.map((p) => [p.position, [...p.pool], p.sizes])).toEqual([
      [
        0,
        [],
        [
          [0, 3],
          [1, 3],
        ],
      ],
      [
        1,
        [],
        [
          [0, 3],
          [1, 3],
        ],
      ],
    ]);
    const wider = candidatePools(batch, probeOf, readCommitted(committed, probes, 3, false), {
      ...settings,
      maxBlock: 3,
    });
    expect([...wider[0]!.pool]).toEqual([
      ['rec_x', 0],
      ['rec_b', 0],
      ['rec_y', 1],
    ]);
  });

  it('caps by rule, then by record key', () => {
    const pool = new Map([
      ['rec_3', 1],
      ['rec_1', 0],
      ['rec_2', 1],
      ['rec_4', 0],
    ]);
    const keyOf = (id: string) => ({ rec_1: 'b', rec_2: 'a', rec_3: 'c', rec_4: 'a' })[id]!;
    expect(cappedCandidates(pool, 3, keyOf)).toEqual(['rec_4', 'rec_1', 'rec_2']);
    expect(cappedCandidates(pool, 4, keyOf)).toEqual(['rec_3', 'rec_1', 'rec_2', 'rec_4']);
    // What the cap left out, by the rule that found it.
    expect(cutByRule(pool, cappedCandidates(pool, 3, keyOf))).toEqual(new Map([[1, 1]]));
    expect(cutByRule(pool, cappedCandidates(pool, 1, keyOf))).toEqual(
      new Map([
        [0, 1],
        [1, 2],
      ]),
    );
    expect(cutByRule(pool, cappedCandidates(pool, 4, keyOf))).toEqual(new Map());
  });

  it('counts skipped blocks and cut candidates by rule name, each capped record once per rule', () => {
    const matching = emptyMatching();
    const counts = createRuleCounts(matching, ['names', 'dob']);
    counts.skipped(1);
    counts.skipped(1);
    counts.cut(0, new Map([[0, 2]]));
    // The same record cut again under the same rule (the recheck under the clock): one record.
    counts.cut(0, new Map([[0, 1]]));
    counts.cut(3, new Map([[0, 0]]));
    expect(matching.byRule).toEqual({
      names: { skippedBlocks: 0, cappedRecords: 1, cutCandidates: 3 },
      dob: { skippedBlocks: 2, cappedRecords: 0, cutCandidates: 0 },
    });
  });

  it('answers what one index over the graph and the batch answers, in dedupe and link mode', () => {
    for (let seed = 1; seed <= 200; seed++) {
      const { committed, batch } = population(seed, seed % 40, 1 + (seed % 25));
      const settings = {
        maxBlock: 2 + (seed % 9),
        cap: 1 + (seed % 6),
        linkOnly: seed % 2 === 0,
        separator: SEPARATOR,
      };
      const { probes, probeOf } = blockProbes(batch, settings.linkOnly);
      const reads = readCommitted(committed, probes, settings.maxBlock, settings.linkOnly);
      const keyOf = new Map([...committed, ...batch].map((c) => [c.id, c.key]));
      const got = candidatePools(batch, probeOf, reads, settings).map((p) => ({
        position: p.position,
        found: p.pool.size,
        ids: cappedCandidates(p.pool, settings.cap, (id) => keyOf.get(id)!),
        sizes: p.sizes,
      }));
      const want = reference(committed, batch, settings);
      // Within the cap the order does not matter (scoring does not depend on it).
      const normalise = (rows: typeof want) =>
        rows.map((r) => ({ ...r, ids: r.found > settings.cap ? r.ids : [...r.ids].sort() }));
      expect(normalise(got), `seed ${seed}`).toEqual(normalise(want));
    }
  });
});
