import { doubleMetaphone } from 'double-metaphone';
import { type AddressParts, unpackAddress } from './derived-address.js';
import { type DateParts, parseIsoDate } from './normalize-attributes.js';

/**
 * What matching derives from a normalised value, memoised: the same names, birth dates and
 * addresses come back pair after pair, and deriving them (double metaphone, date parsing, splitting
 * a packed address) costs more than a lookup. One memo serves one matching run: the record matcher owns one for as long as it lives,
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

  forget(): void {
    this.phonetic.clear();
    this.dates.clear();
    this.addresses.clear();
  }

  get size(): number {
    return this.phonetic.size + this.dates.size + this.addresses.size;
  }
}

/** Keeps `derived` for `value` in `memo`, emptying it first when full. */
function remember<V>(memo: Map<string, V>, value: string, derived: V): V {
  if (memo.size >= MEMO_LIMIT) memo.clear();
  memo.set(value, derived);
  return derived;
}
