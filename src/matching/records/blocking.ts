import { BLOCKING_RULE_SLOTS } from '../../graph/cypher-template.js';
import type { MatchRecord } from './normalize-attributes.js';
import { createValueMemo, type ValueMemo } from './value-memo.js';

/**
 * Blocking: which pairs are compared at all. A rule is a list of key parts; two records are
 * candidates under a rule when every part is present on both and equal. Rules are data, so they
 * can be configured and stored next to the model, and each record's keys are plain strings that
 * can be stored as indexed node properties: candidate lookup for one record is then one index
 * seek per rule.
 *
 * Keys are derived from personal data and are personal data themselves; never log them.
 */

/**
 * A key part is `attribute` or `attribute:transform`:
 * - `dmetaphone`: primary double metaphone code;
 * - `initial`: first character;
 * - `year`, `month`, `day`: part of a `YYYY-MM-DD` date;
 * - `prefixN` (e.g. `prefix3`): first N characters.
 */
export type BlockingKeyPart = string;

export interface BlockingRule {
  /** Unique among the rules; prefixes every key so keys of different rules never collide. */
  readonly name: string;
  readonly keys: readonly BlockingKeyPart[];
  /**
   * Compare the parts as a set: `{ keys: ['firstName', 'lastName'], unordered: true }` also pairs
   * "john smith" with "smith john" (swapped fields).
   */
  readonly unordered?: boolean;
}

type Transform = (value: string) => string | null;

function nonEmpty(value: string): string | null {
  return value.length > 0 ? value : null;
}

function datePart(start: number, end: number): Transform {
  return (value) => (/^\d{4}-\d{2}-\d{2}$/.test(value) ? value.slice(start, end) : null);
}

/** The named transforms, the phonetic one reading codes through `memo`. */
function transforms(memo: Pick<ValueMemo, 'phoneticCodes'>): Readonly<Record<string, Transform>> {
  return {
    exact: (value) => value,
    dmetaphone: (value) => nonEmpty(memo.phoneticCodes(value)[0]),
    initial: (value) => nonEmpty(value.slice(0, 1)),
    year: datePart(0, 4),
    month: datePart(5, 7),
    day: datePart(8, 10),
  };
}

function parsePart(
  part: BlockingKeyPart,
  named: Readonly<Record<string, Transform>>,
): { attribute: string; transform: Transform } {
  const [attribute, name = 'exact', ...rest] = part.split(':');
  if (!attribute || rest.length > 0) throw new Error(`blocking key part ${part}: malformed`);
  const prefix = /^prefix(\d+)$/.exec(name);
  if (prefix) {
    const length = Number(prefix[1]);
    if (length < 1) throw new Error(`blocking key part ${part}: prefix length must be >= 1`);
    return { attribute, transform: (value) => nonEmpty(value.slice(0, length)) };
  }
  const transform = named[name];
  if (!transform) throw new Error(`blocking key part ${part}: unknown transform ${name}`);
  return { attribute, transform };
}

function escapePart(value: string): string {
  return value.replace(/[\\|]/g, (c) => `\\${c}`);
}

export interface CompiledBlockingRule {
  readonly rule: BlockingRule;
  /** The record's key under this rule, or `null` when any part is missing. */
  readonly keyOf: (record: MatchRecord) => string | null;
}

/**
 * Rules a model may have: the graph stores rule k's key of a record in the indexed property
 * `block<k>`, one per slot of the graph (the statements that read them repeat their per-rule part
 * for each slot: src/graph/cypher-template.ts).
 */
export const MAX_BLOCKING_RULES = BLOCKING_RULE_SLOTS;

/**
 * Validates rules (unique names, known transforms, at most one per slot of the graph) and prepares them for repeated
 * use. Phonetic codes come from `memo`: the record matcher passes the memo its comparisons use;
 * by default the compiled rules get one of their own.
 */
export function compileBlockingRules(
  rules: readonly BlockingRule[],
  memo: Pick<ValueMemo, 'phoneticCodes'> = createValueMemo(),
): CompiledBlockingRule[] {
  if (rules.length > MAX_BLOCKING_RULES)
    throw new Error(`at most ${MAX_BLOCKING_RULES} blocking rules; got ${rules.length}`);
  const named = transforms(memo);
  const names = new Set<string>();
  return rules.map((rule) => {
    if (!/^[A-Za-z0-9_]+$/.test(rule.name))
      throw new Error(`blocking rule ${rule.name}: name must be [A-Za-z0-9_]+`);
    if (names.has(rule.name)) throw new Error(`blocking rule ${rule.name}: duplicate name`);
    if (rule.keys.length === 0) throw new Error(`blocking rule ${rule.name}: no key parts`);
    names.add(rule.name);
    const parts = rule.keys.map((part) => parsePart(part, named));
    const keyOf = (record: MatchRecord): string | null => {
      const values: string[] = [];
      for (const { attribute, transform } of parts) {
        const raw = record.values[attribute];
        const value = raw == null ? null : transform(raw);
        if (value === null) return null;
        values.push(escapePart(value));
      }
      if (rule.unordered) values.sort();
      return `${rule.name}:${values.join('|')}`;
    };
    return { rule, keyOf };
  });
}

/**
 * Blocking keys of one record, one per rule that applies (a rule whose parts are not all present
 * gives no key). Two records are candidates exactly when they share a key.
 */
export function blockingKeys(record: MatchRecord, rules: readonly BlockingRule[]): string[] {
  return compileBlockingRules(rules)
    .map(({ keyOf }) => keyOf(record))
    .filter((key): key is string => key !== null);
}

/** `dedupe`: pairs within one set of records. `link`: only pairs whose records have different `source`s. */
export type MatchMode = 'dedupe' | 'link';

export interface CandidateOptions {
  readonly mode: MatchMode;
  /**
   * At most this many candidates are taken per record, preferring earlier rules (list the most
   * specific rules first). A pair is kept when either record took it. Default: no cap.
   */
  readonly maxCandidatesPerRecord?: number;
}

export interface CandidatePair {
  /** Indexes into the input records, `left < right`. */
  readonly left: number;
  readonly right: number;
  /** Index of the first rule that produced the pair. */
  readonly rule: number;
}

export interface CandidateResult {
  readonly pairs: CandidatePair[];
  /** Per record, distinct candidates before the cap. */
  readonly candidatesPerRecord: Int32Array;
  /** Records that had more candidates than the cap. */
  readonly cappedRecords: number;
  /** Pairs first produced by each rule, by rule name. */
  readonly pairsByRule: Readonly<Record<string, number>>;
}

/**
 * Candidate pairs for batch matching. Deterministic: output order depends only on input order.
 * Cost is the sum over blocks of size squared, so a rule whose blocks are huge (a common surname
 * alone) should be refined or capped.
 */
export function generateCandidatePairs(
  records: readonly MatchRecord[],
  rules: readonly BlockingRule[],
  options: CandidateOptions,
): CandidateResult {
  const compiled = compileBlockingRules(rules);
  const cap = options.maxCandidatesPerRecord ?? Number.POSITIVE_INFINITY;
  const link = options.mode === 'link';
  const n = records.length;
  // Pairs are keyed as i * n + j, exact in a double while n^2 < 2^53.
  if (n > 90_000_000) throw new Error('generateCandidatePairs: more than 9e7 records per batch');
  // blocksByRule[r][i]: the block (record indexes) record i is in under rule r.
  const blocksByRule = compiled.map(({ keyOf }) => {
    const blocks = new Map<string, number[]>();
    const memberOf: (number[] | undefined)[] = new Array<number[] | undefined>(n);
    records.forEach((record, index) => {
      const key = keyOf(record);
      if (key === null) return;
      let block = blocks.get(key);
      if (!block) blocks.set(key, (block = []));
      block.push(index);
      memberOf[index] = block;
    });
    return memberOf;
  });

  const pairRule = new Map<number, number>();
  const candidatesPerRecord = new Int32Array(n);
  let cappedRecords = 0;
  const seen = new Set<number>();
  for (let i = 0; i < n; i += 1) {
    seen.clear();
    let taken = 0;
    const sourceI = records[i]!.source;
    blocksByRule.forEach((memberOf, ruleIndex) => {
      const block = memberOf[i];
      if (!block) return;
      for (const j of block) {
        if (j === i || seen.has(j)) continue;
        if (link && records[j]!.source === sourceI) continue;
        seen.add(j);
        if (taken >= cap) continue;
        taken += 1;
        const key = i < j ? i * n + j : j * n + i;
        if (!pairRule.has(key)) pairRule.set(key, ruleIndex);
        else if (pairRule.get(key)! > ruleIndex) pairRule.set(key, ruleIndex);
      }
    });
    candidatesPerRecord[i] = seen.size;
    if (seen.size > cap) cappedRecords += 1;
  }

  const pairs: CandidatePair[] = [];
  const pairsByRule: Record<string, number> = Object.fromEntries(rules.map((r) => [r.name, 0]));
  for (const [key, rule] of [...pairRule].sort((a, b) => a[0] - b[0])) {
    pairs.push({ left: Math.floor(key / n), right: key % n, rule });
    pairsByRule[rules[rule]!.name]! += 1;
  }
  return { pairs, candidatesPerRecord, cappedRecords, pairsByRule };
}

/** Number of distinct pairs in the whole comparison space (all pairs, or all cross-source pairs). */
export function totalPairs(records: readonly MatchRecord[], mode: MatchMode): number {
  const n = records.length;
  if (mode === 'dedupe') return (n * (n - 1)) / 2;
  const bySource = new Map<string | undefined, number>();
  for (const record of records) bySource.set(record.source, (bySource.get(record.source) ?? 0) + 1);
  let same = 0;
  for (const count of bySource.values()) same += (count * (count - 1)) / 2;
  return (n * (n - 1)) / 2 - same;
}
