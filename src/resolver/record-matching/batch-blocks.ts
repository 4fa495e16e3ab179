/**
 * A batch's candidate records, put together here from what write/claim-records reads of the
 * committed blocks and what the worker knows of the batch itself.
 *
 * The statement reads each distinct (rule, key) of the batch once, before it creates the batch's
 * records, so its index seeks never merge the transaction's own uncommitted entries. The batch's
 * records are candidates of each other: the worker adds them from its own keys. Counting, dropping
 * the record itself, picking the lowest rule per candidate and capping also happen here, one
 * JavaScript map per record, where Cypher would spend an aggregation per record and a row per
 * member, on the database that every worker shares.
 *
 * The result, per record with keys: the distinct candidates of its blocks of at most `maxBlock`
 * records (this batch's included), at most `cap` of them (earlier rules first, then by record key,
 * when there are more), their count before the cap, and the size of each block read.
 */

import { MAX_BLOCKING_RULES } from '../../matching/records/blocking.js';

/**
 * The block reads of write/claim-records, per rule (rule k's at k): the keys, and in link mode the
 * source of each read (a read there leaves out its own source's records); in dedupe mode the
 * source lists are empty. Flat lists of numbers rather than a row per read: rows multiply the
 * values the driver packs.
 */
export interface BlockProbes {
  keys: number[][];
  sources: string[][];
}

/** write/claim-records' answer for a read: [its index in its rule's list, size (at most scanLimit), ids]. */
export type BlockRead = [index: number, size: number, ids: string];

/** A record of the batch, as blocking sees it. */
export interface BatchRecord {
  id: string;
  /** The event key: what orders candidates beyond the cap. */
  key: string;
  source: string;
  /** Blocking keys by rule, null where a rule gives none (all null: never a candidate). */
  slots: readonly (number | null)[];
}

export interface BlockSettings {
  maxBlock: number;
  cap: number;
  linkOnly: boolean;
  /** Separates the ids of a block read (never inside an id). */
  separator: string;
}

/** A record's candidates before the cap: candidate id -> lowest rule that found it. */
export interface CandidatePool {
  position: number;
  pool: Map<string, number>;
  /** [rule, size] for every rule the record has a key for; size at most maxBlock + 1. */
  sizes: [rule: number, size: number][];
}

/** A record that must never be a candidate (its event refuses identity_linking): no keys. */
export const NO_KEYS: readonly null[] = new Array<null>(MAX_BLOCKING_RULES).fill(null);

/**
 * A block as one number: keys are 48-bit (src/matching/record-matcher.ts), so rule * 2^48 + key
 * stays below 2^51, exact in a double. Numbers, not strings: building a string per key for the map
 * lookups would cost more than the grouping itself.
 */
const blockOf = (rule: number, key: number) => rule * 2 ** 48 + key;

/**
 * The distinct block reads of a batch and, per record and rule, the index of its read in that
 * rule's list (-1 where the record has no key for the rule). In link mode a read leaves out the
 * records of the reading record's source, so records of different sources read a block separately.
 */
export function blockProbes(
  records: readonly BatchRecord[],
  linkOnly: boolean,
): { probes: BlockProbes; probeOf: number[][] } {
  const probes: BlockProbes = {
    keys: Array.from({ length: MAX_BLOCKING_RULES }, () => []),
    sources: Array.from({ length: MAX_BLOCKING_RULES }, () => []),
  };
  // Block -> source ('' in dedupe mode) -> index in the rule's list.
  const index = new Map<number, Map<string, number>>();
  const probeOf = records.map((r) => {
    const source = linkOnly ? r.source : '';
    const of: number[] = [];
    for (let rule = 0; rule < r.slots.length; rule++) {
      const key = r.slots[rule]!;
      if (key === null) {
        of.push(-1);
        continue;
      }
      const block = blockOf(rule, key);
      let bySource = index.get(block);
      if (!bySource) index.set(block, (bySource = new Map<string, number>()));
      let n = bySource.get(source);
      if (n === undefined) {
        const keys = probes.keys[rule]!;
        n = keys.length;
        keys.push(key);
        if (linkOnly) probes.sources[rule]!.push(source);
        bySource.set(source, n);
      }
      of.push(n);
    }
    return of;
  });
  return { probes, probeOf };
}

/**
 * Per record with at least one key, in batch order: its candidates from the committed blocks
 * (`reads`, by rule, as write/claim-records answers) and from the batch's own records sharing a
 * key with it.
 */
export function candidatePools(
  records: readonly BatchRecord[],
  probeOf: readonly (readonly number[])[],
  reads: readonly (readonly BlockRead[])[],
  settings: BlockSettings,
): CandidatePool[] {
  const scanLimit = settings.maxBlock + 1;
  const committed = reads.map((byRule) => {
    const found: { size: number; ids: string[] }[] = [];
    for (const [n, size, ids] of byRule)
      found[n] = { size, ids: ids === '' ? [] : ids.slice(1).split(settings.separator) };
    return found;
  });
  // The batch's records by block, whatever their source: all of them count towards a block's size.
  const inBatch = new Map<number, number[]>();
  records.forEach((r, position) => {
    for (let rule = 0; rule < r.slots.length; rule++) {
      const key = r.slots[rule]!;
      if (key === null) continue;
      const block = blockOf(rule, key);
      const members = inBatch.get(block);
      if (members) members.push(position);
      else inBatch.set(block, [position]);
    }
  });
  const pools: CandidatePool[] = [];
  records.forEach((r, position) => {
    const pool = new Map<string, number>();
    const sizes: [number, number][] = [];
    // Rules in order: the first rule to name a candidate is its lowest.
    for (let rule = 0; rule < r.slots.length; rule++) {
      const key = r.slots[rule]!;
      if (key === null) continue;
      const read = committed[rule]?.[probeOf[position]![rule]!];
      if (!read) throw new Error('write/claim-records answered no read for a block');
      const batch = inBatch.get(blockOf(rule, key))!;
      // The graph counts at most scanLimit; more says nothing more.
      const size = Math.min(read.size + batch.length, scanLimit);
      sizes.push([rule, size]);
      if (size > settings.maxBlock) continue;
      for (const id of read.ids) if (!pool.has(id)) pool.set(id, rule);
      for (const other of batch) {
        const o = records[other]!;
        if (other === position || (settings.linkOnly && o.source === r.source)) continue;
        if (!pool.has(o.id)) pool.set(o.id, rule);
      }
    }
    if (sizes.length > 0) pools.push({ position, pool, sizes });
  });
  return pools;
}

/** The candidates a record scores: all of them within the cap, else earlier rules first, then by key. */
export function cappedCandidates(
  pool: ReadonlyMap<string, number>,
  cap: number,
  keyOf: (id: string) => string,
): string[] {
  if (pool.size <= cap) return [...pool.keys()];
  return [...pool]
    .map(([id, rule]) => ({ id, rule, key: keyOf(id) }))
    .sort((a, b) => a.rule - b.rule || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .slice(0, cap)
    .map((c) => c.id);
}

/** Per rule, how many of a pool's candidates the cap left out (`taken`: those scored). */
export function cutByRule(
  pool: ReadonlyMap<string, number>,
  taken: readonly string[],
): Map<number, number> {
  const cut = new Map<number, number>();
  if (taken.length >= pool.size) return cut;
  const scored = new Set(taken);
  for (const [id, rule] of pool) if (!scored.has(id)) cut.set(rule, (cut.get(rule) ?? 0) + 1);
  return cut;
}
