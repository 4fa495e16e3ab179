import { doubleMetaphone } from 'double-metaphone';
import { type AddressParts, unpackAddress } from './derived-address.js';
import { type KeyedHash, termFrequencyKey } from './keyed-hash.js';
import { type DateParts, parseIsoDate } from './normalize-attributes.js';

/**
 * What matching derives from a normalised value, memoised: the same names, birth dates and
 * addresses come back pair after pair, and deriving them (double metaphone, date parsing, splitting
 * a packed address, the keyed hash a term-frequency table is looked up by) costs more than a
 * lookup. One memo serves one matching run: the record matcher owns one for as long as it lives,
 * u estimation and training make their own (each worker thread too).
 *
 * The memo holds names, birth dates and addresses, which are personal data: whoever keeps one for long empties
 * it on a clock ({@link ValueMemo.forget}), so the values of an erased record leave memory in
 * bounded time. Each map is also emptied when full, which bounds its memory whatever the input.
 */
export interface ValueMemo {
  /** Primary and alternate double metaphone codes of a value. */
  phoneticCodes(value: string): readonly [string, string];
  /** {@link parseIsoDate} of a value. */
  dateParts(value: string): DateParts | null;
  /** {@link unpackAddress} of a packed address. */
  addressParts(value: string): AddressParts;
  /**
   * `hash(termFrequencyKey(attribute, value))`: where a term-frequency table stored by hash keeps
   * the value's share. A memo is used with one `hash` only (its matcher's).
   */
  termHash(attribute: string, value: string, hash: KeyedHash): number;
  /** Empties the memo: the values it held leave its memory. */
  forget(): void;
  /** Values held (for tests and diagnostics). */
  readonly size: number;
}

/** Entries per map before it is emptied. */
const MEMO_LIMIT = 100_000;

export function createValueMemo(): ValueMemo {
  return new Memo();
}

/**
 * A class rather than closures made per memo: every memo shares the same methods, so the lookups
 * level evaluation makes for every pair stay monomorphic however many memos a process makes.
 */
class Memo implements ValueMemo {
  private readonly phonetic = new Map<string, readonly [string, string]>();
  private readonly dates = new Map<string, DateParts | null>();
  private readonly addresses = new Map<string, AddressParts>();
  /** By attribute, then value: no key string is built per lookup. */
  private readonly termHashes = new Map<string, Map<string, number>>();

  phoneticCodes(value: string): readonly [string, string] {
    const codes = this.phonetic.get(value);
    return codes !== undefined ? codes : remember(this.phonetic, value, doubleMetaphone(value));
  }

  dateParts(value: string): DateParts | null {
    const parts = this.dates.get(value);
    return parts !== undefined ? parts : remember(this.dates, value, parseIsoDate(value));
  }

  addressParts(value: string): AddressParts {
    const parts = this.addresses.get(value);
    return parts !== undefined ? parts : remember(this.addresses, value, unpackAddress(value));
  }

  termHash(attribute: string, value: string, hash: KeyedHash): number {
    let hashes = this.termHashes.get(attribute);
    if (hashes === undefined) {
      hashes = new Map();
      this.termHashes.set(attribute, hashes);
    }
    const known = hashes.get(value);
    return known !== undefined
      ? known
      : remember(hashes, value, hash(termFrequencyKey(attribute, value)));
  }

  forget(): void {
    this.phonetic.clear();
    this.dates.clear();
    this.addresses.clear();
    this.termHashes.clear();
  }

  get size(): number {
    let hashes = 0;
    for (const values of this.termHashes.values()) hashes += values.size;
    return this.phonetic.size + this.dates.size + this.addresses.size + hashes;
  }
}

/** Keeps `derived` for `value` in `memo`, emptying it first when full. */
function remember<V>(memo: Map<string, V>, value: string, derived: V): V {
  if (memo.size >= MEMO_LIMIT) memo.clear();
  memo.set(value, derived);
  return derived;
}
