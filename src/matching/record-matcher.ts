import {
  type BlockingRule,
  type CompiledBlockingRule,
  compileBlockingRules,
  MAX_BLOCKING_RULES,
} from './records/blocking.js';
import { DEFAULT_BLOCKING_RULES, DEFAULT_MODEL } from './model/default-model.js';
import {
  type FellegiSunterModel,
  type PairScore,
  probabilityFromWeight,
  scorePair,
  scoreVector,
  type TermFrequencies,
  weightFromProbability,
} from './scoring/fellegi-sunter.js';
import { type HoldReason, identityEvidenceCheck } from './scoring/identity-evidence.js';
import { createLevelEvaluator } from './scoring/level-evaluation.js';
import { createPairWeigher } from './scoring/pair-weigher.js';
import type { ModelFile } from './model/model-file.js';
import {
  type MatchRecord,
  normalizeRecord,
  STANDARD_ATTRIBUTES,
} from './records/normalize-attributes.js';
import { createValueMemo } from './records/value-memo.js';
import { createKeyedHash } from './records/keyed-hash.js';
import { type HashedTermFrequencies, hashedTermTables } from './scoring/term-frequency-tables.js';
import { DERIVED_ATTRIBUTES, deriveAttributes } from './records/derived-address.js';
import { attributeWarnings } from './records/attribute-warnings.js';

/**
 * The matching model as the resolver uses it on one record at a time: attributes of an event become
 * a normalised record, the record's blocking keys become opaque hashes that can be stored and
 * indexed in the graph, and a candidate pair becomes a decision (link, review, nothing) with its
 * explanation.
 *
 * Blocking keys are hashed with a keyed HMAC (keyed-hash.ts): a plain hash of "dob:1980-01-01" is
 * reversed by hashing every date, a keyed one is not without the secret. Term-frequency tables
 * estimated from the graph are kept by the same keyed hashes of their values.
 *
 * The matcher owns the value memo its blocking keys and comparisons read phonetic codes, dates and
 * address parts through. It holds names, birth dates and addresses for as long as the matcher
 * lives, so a long-running process empties it on a clock ({@link RecordMatcher.forgetValues}).
 */

export type MatchDecision = 'link' | 'review' | 'none';

/** A pair's decision, and why a pair at or above the auto threshold was only reviewed. */
export interface MatchVerdict {
  readonly decision: MatchDecision;
  /** Set when the probability reached the auto threshold but the decision is `review`. */
  readonly held?: HoldReason;
}

export interface MatcherSettings {
  readonly modelFile?: ModelFile;
  /**
   * Term frequencies stored by keyed hash (term-frequency-tables.ts), hashed under `secret`: a model
   * version estimated from the graph's records keeps its tables so. Used instead of the file's.
   */
  readonly hashedTermFrequencies?: HashedTermFrequencies;
  /** Key of the blocking-key HMAC. */
  readonly secret: string;
  readonly autoThreshold: number;
  readonly reviewThreshold: number;
  readonly maxCandidates: number;
  readonly maxBlockSize: number;
  /**
   * Attributes a household shares: agreement on these alone never links a pair, it is reviewed
   * (see identity-evidence.ts); empty turns the check off.
   */
  readonly householdAttributes: readonly string[];
}

export interface RecordBlock {
  /** Index of the blocking rule (earlier rules are preferred under the candidate cap). */
  readonly rule: number;
  /** Keyed hash of the blocking key: a non-negative integer below 2^48. */
  readonly hash: number;
}

/** A development default: fine for a laptop, refused in production by the config check. */
export const DEVELOPMENT_KEY_SECRET = 'idgraph-development-blocking-key-secret';

export type RecordMatcher = ReturnType<typeof createRecordMatcher>;

export function createRecordMatcher(settings: MatcherSettings) {
  const model: FellegiSunterModel = settings.modelFile?.model ?? DEFAULT_MODEL;
  const rules: readonly BlockingRule[] =
    settings.modelFile?.blockingRules ?? DEFAULT_BLOCKING_RULES;
  const memo = createValueMemo();
  const compiled: CompiledBlockingRule[] = compileBlockingRules(rules, memo);
  const evaluator = createLevelEvaluator(memo);
  const attributeKinds = settings.modelFile?.attributeKinds ?? {};
  const hashKey = createKeyedHash(settings.secret);
  const termFrequencies: TermFrequencies = settings.hashedTermFrequencies
    ? hashedTermTables(settings.hashedTermFrequencies, memo, hashKey)
    : Object.fromEntries(
        Object.entries(settings.modelFile?.termFrequencies ?? {}).map(([attribute, table]) => [
          attribute,
          new Map(Object.entries(table)),
        ]),
      );
  const linkOnly = settings.modelFile?.mode === 'link';
  const hasIdentityEvidence = identityEvidenceCheck(model, settings.householdAttributes);
  // No decision acts on a weight below the review threshold's: weighing stops there.
  const weigher = createPairWeigher(
    model,
    { termFrequencies },
    weightFromProbability(Math.min(settings.reviewThreshold, settings.autoThreshold)),
    evaluator,
  );

  /** Hashed blocking keys of a record, in rule order (a rule whose parts are missing gives none). */
  const blocks = (record: MatchRecord): RecordBlock[] => {
    const found: RecordBlock[] = [];
    compiled.forEach(({ keyOf }, rule) => {
      const key = keyOf(record);
      if (key !== null) found.push({ rule, hash: hashKey(key) });
    });
    return found;
  };

  return {
    model,
    rules,
    linkOnly,
    autoThreshold: settings.autoThreshold,
    reviewThreshold: settings.reviewThreshold,
    maxCandidates: settings.maxCandidates,
    maxBlockSize: settings.maxBlockSize,

    /**
     * The event's attributes as a record, or undefined when none of them has a usable value.
     * Non-string values (numbers, booleans) compare as their string form.
     */
    toRecord(id: string, source: string, attributes: Readonly<Record<string, unknown>>) {
      const raw: Record<string, string> = {};
      for (const [name, value] of Object.entries(attributes)) {
        if (typeof value === 'string') raw[name] = value;
        else if (typeof value === 'number' || typeof value === 'boolean') raw[name] = String(value);
      }
      const record = normalizeRecord({ id, source, attributes: raw }, { attributeKinds });
      return Object.values(record.values).some((v) => v !== null) ? record : undefined;
    },

    /**
     * Names of the event's attributes whose values are dirty (see attribute-warnings.ts), sorted;
     * never the values.
     */
    attributeWarnings(attributes: Readonly<Record<string, unknown>>): string[] {
      return attributeWarnings(attributes, { attributeKinds });
    },

    blocks,

    /**
     * The record's keys as the graph stores them: slot k holds rule k's hash, null where the rule
     * gives none; always {@link MAX_BLOCKING_RULES} slots.
     */
    keySlots(record: MatchRecord): (number | null)[] {
      const slots: (number | null)[] = new Array<number | null>(MAX_BLOCKING_RULES).fill(null);
      for (const { rule, hash } of blocks(record)) slots[rule] = hash;
      return slots;
    },

    score(left: MatchRecord, right: MatchRecord): PairScore {
      return scorePair(model, left, right, evaluator, { termFrequencies });
    },

    /**
     * A pair's comparison vector and probability, without the explanation: what a decision needs;
     * undefined when the pair cannot reach the review threshold (its decision is `none`).
     * {@link explain} then explains the few pairs that are linked or reviewed.
     */
    weigh(
      left: MatchRecord,
      right: MatchRecord,
    ): { vector: number[]; probability: number } | undefined {
      const weighed = weigher.weigh(left, right);
      return (
        weighed && { vector: weighed.vector, probability: probabilityFromWeight(weighed.weight) }
      );
    },

    explain(left: MatchRecord, right: MatchRecord, vector: readonly number[]): PairScore {
      return scoreVector(model, vector, left, right, { termFrequencies });
    },

    /**
     * A pair's decision from its probability and comparison vector (level per comparison, in model
     * order): `link` at or above the auto threshold when the pair holds identity evidence, `review`
     * (held) when it does not, `review` in the review band, `none` below it.
     */
    decide(probability: number, vector: readonly number[]): MatchVerdict {
      if (probability >= settings.autoThreshold)
        return hasIdentityEvidence === undefined || hasIdentityEvidence(vector)
          ? { decision: 'link' }
          : { decision: 'review', held: 'identity_evidence' };
      if (probability >= settings.reviewThreshold) return { decision: 'review' };
      return { decision: 'none' };
    },

    /**
     * Empties the value memo: the names, birth dates and addresses it holds leave memory. Scoring
     * afterwards gives the same results, deriving the values again as they come.
     */
    forgetValues(): void {
      memo.forget();
    },

    /** Values the memo holds (for tests and diagnostics). */
    memoisedValues(): number {
      return memo.size;
    },
  };
}

/**
 * Stored form of a record's values: only present ones, standard attributes first, stable order.
 * Derived attributes are left out: {@link parseRecordValues} derives them again from their parts.
 */
export function serializeRecordValues(record: MatchRecord): string {
  const standard = new Set<string>(STANDARD_ATTRIBUTES);
  const names = [
    ...STANDARD_ATTRIBUTES,
    ...Object.keys(record.values)
      .filter((n) => !standard.has(n) && !DERIVED_ATTRIBUTES.includes(n))
      .sort(),
  ];
  const present: Record<string, string> = {};
  for (const name of names) {
    const value = record.values[name];
    if (value != null) present[name] = value;
  }
  return JSON.stringify(present);
}

/**
 * A stored record (see {@link serializeRecordValues}) as scoring reads it: absent standard
 * attributes null, derived attributes computed from the stored parts (a stored value under a
 * derived attribute's name, from before it was derived, is replaced).
 */
export function parseRecordValues(
  id: string,
  source: string,
  json: string,
): MatchRecord & { source: string } {
  const present = JSON.parse(json) as Record<string, string>;
  const values: Record<string, string | null> = {};
  for (const attribute of STANDARD_ATTRIBUTES) values[attribute] = null;
  Object.assign(values, present);
  deriveAttributes(values);
  return { id, source, values };
}
