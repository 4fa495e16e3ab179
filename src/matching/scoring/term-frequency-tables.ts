import { type KeyedHash, termFrequencyKey } from '../records/keyed-hash.js';
import type { ValueMemo } from '../records/value-memo.js';
import type { TermFrequencies, TermTable } from './fellegi-sunter.js';

/**
 * Term-frequency tables kept without their values: each common value is stored as its keyed hash
 * (HMAC under MATCH_KEY_SECRET of `termFrequencyKey(attribute, value)`) next to its share of records.
 * A pair's value is looked up by hashing it (memoised in the matcher's value memo), so the table
 * scores exactly as the table of values it was made from, while the graph holds no name: a graph
 * dump does not say which names are common, and erasing a value means finding its hash.
 */

/** One attribute's table as the graph stores it: hashes in ascending order, and their shares. */
export interface HashedTermTable {
  readonly hashes: readonly number[];
  readonly shares: readonly number[];
}

/** Hashed tables by attribute. */
export type HashedTermFrequencies = Readonly<Record<string, HashedTermTable>>;

/**
 * The tables of values (attribute -> value -> share, as `commonTermFrequencies` makes them) by
 * keyed hash. Two values whose hashes collide (odds of about 10^-7 in a table of ten thousand)
 * keep the larger share: the commoner value decides a pair's adjustment anyway.
 */
export function hashTermFrequencies(
  tables: Readonly<Record<string, Readonly<Record<string, number>>>>,
  hash: KeyedHash,
): Record<string, HashedTermTable> {
  const hashed: Record<string, HashedTermTable> = {};
  for (const [attribute, table] of Object.entries(tables)) {
    const byHash = new Map<number, number>();
    for (const [value, share] of Object.entries(table)) {
      const key = hash(termFrequencyKey(attribute, value));
      byHash.set(key, Math.max(share, byHash.get(key) ?? 0));
    }
    const entries = [...byHash].sort(([a], [b]) => a - b);
    hashed[attribute] = { hashes: entries.map(([h]) => h), shares: entries.map(([, s]) => s) };
  }
  return hashed;
}

/** A stored table as scoring reads it: a value's share, found by the value's hash. */
class HashedLookup implements TermTable {
  private readonly byHash: ReadonlyMap<number, number>;

  constructor(
    private readonly attribute: string,
    table: HashedTermTable,
    private readonly memo: Pick<ValueMemo, 'termHash'>,
    private readonly hash: KeyedHash,
  ) {
    this.byHash = new Map(table.hashes.map((h, i) => [h, table.shares[i]!]));
  }

  get(value: string): number | undefined {
    return this.byHash.get(this.memo.termHash(this.attribute, value, this.hash));
  }

  get size(): number {
    return this.byHash.size;
  }

  values(): Iterable<number> {
    return this.byHash.values();
  }
}

/**
 * Stored tables as scoring takes them (`ScoreOptions.termFrequencies`), hashing values with `hash`
 * through `memo`: the memo of the matcher that scores, emptied on its clock like its other values.
 */
export function hashedTermTables(
  stored: HashedTermFrequencies,
  memo: Pick<ValueMemo, 'termHash'>,
  hash: KeyedHash,
): TermFrequencies {
  return Object.fromEntries(
    Object.entries(stored).map(([attribute, table]) => [
      attribute,
      new HashedLookup(attribute, table, memo, hash),
    ]),
  );
}
