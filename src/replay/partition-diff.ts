/**
 * Comparing two partitions of identifiers into persons (`idgraph diff`): pure counting over a
 * stream of identifiers in key order. Pairs are never enumerated: two identifiers are one person in
 * both partitions exactly when they share a cell of the contingency table (a's person, b's person),
 * so the pairs each side puts together and the pairs both do are sums of C(n, 2) over person sizes
 * and cells. Memory is a map of the cells met, at most one per identifier and about one per person
 * in practice.
 */

/** One identifier of a partition: its key (`type:value`, personal data), type and person. */
export interface PartitionRow {
  key: string;
  type: string;
  personId: string;
}

/** Pairs of identifiers put together by each side and by both. */
export interface PairCounts {
  /** Pairs in one person of the reference (a, or the truth). */
  reference: number;
  /** Pairs in one person of the compared side (b, or a graph against the truth). */
  compared: number;
  /** Pairs in one person on both sides. */
  both: number;
  /** In one person of the compared side only. */
  gained: number;
  /** In one person of the reference only. */
  lost: number;
  /** both / compared: 1 when the compared side joins nothing. */
  precision: number;
  /** both / reference: 1 when the reference joins nothing. */
  recall: number;
  f1: number;
}

const pairsIn = (n: number) => (n * (n - 1)) / 2;

/**
 * A contingency table of two partitions over the identifiers both hold: cells keyed by the pair of
 * person ids, and each person's size on its side.
 */
export class Contingency {
  /** reference person -> compared person -> identifiers in both. */
  readonly cells = new Map<string, Map<string, number>>();
  readonly referenceSizes = new Map<string, number>();
  readonly comparedSizes = new Map<string, number>();
  identifiers = 0;

  add(reference: string, compared: string): void {
    this.identifiers += 1;
    let row = this.cells.get(reference);
    if (!row) this.cells.set(reference, (row = new Map<string, number>()));
    row.set(compared, (row.get(compared) ?? 0) + 1);
    this.referenceSizes.set(reference, (this.referenceSizes.get(reference) ?? 0) + 1);
    this.comparedSizes.set(compared, (this.comparedSizes.get(compared) ?? 0) + 1);
  }

  pairs(): PairCounts {
    let reference = 0;
    let compared = 0;
    let both = 0;
    for (const n of this.referenceSizes.values()) reference += pairsIn(n);
    for (const n of this.comparedSizes.values()) compared += pairsIn(n);
    for (const row of this.cells.values()) for (const n of row.values()) both += pairsIn(n);
    const precision = compared === 0 ? 1 : both / compared;
    const recall = reference === 0 ? 1 : both / reference;
    const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
    return {
      reference,
      compared,
      both,
      gained: compared - both,
      lost: reference - both,
      precision,
      recall,
      f1,
    };
  }

  /**
   * Persons of the compared side that hold identifiers of several reference persons (merged), and
   * reference persons whose identifiers several compared persons hold (split), each with the
   * persons on the other side, largest first.
   */
  changes(): { merged: Map<string, string[]>; split: Map<string, string[]> } {
    const split = new Map<string, string[]>();
    const sourcesOf = new Map<string, string[]>();
    for (const [ref, row] of this.cells) {
      if (row.size > 1) split.set(ref, [...row.keys()].sort());
      for (const cmp of row.keys()) {
        const sources = sourcesOf.get(cmp);
        if (sources) sources.push(ref);
        else sourcesOf.set(cmp, [ref]);
      }
    }
    const merged = new Map<string, string[]>();
    for (const [cmp, refs] of sourcesOf) if (refs.length > 1) merged.set(cmp, refs.sort());
    return { merged, split };
  }
}

/**
 * Orders keys as Neo4j orders strings (by code point), which is not JavaScript's `<` (by UTF-16
 * code unit) once a key holds characters outside the Basic Multilingual Plane.
 */
export function compareKeys(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    const surrogate = (c: number) => c >= 0xd800 && c <= 0xdfff;
    if (!surrogate(x) && !surrogate(y)) return x - y;
    return a.codePointAt(i)! - b.codePointAt(i)!;
  }
  return a.length - b.length;
}

/**
 * Walks two streams of identifiers sorted by key (compareKeys) side by side, calling `visit` once
 * per key with the row of each side that holds it.
 */
export async function mergeJoin(
  a: AsyncIterable<PartitionRow>,
  b: AsyncIterable<PartitionRow>,
  visit: (a: PartitionRow | undefined, b: PartitionRow | undefined) => void,
): Promise<void> {
  const ia = a[Symbol.asyncIterator]();
  const ib = b[Symbol.asyncIterator]();
  let ra = await ia.next();
  let rb = await ib.next();
  while (!ra.done || !rb.done) {
    const order = ra.done ? 1 : rb.done ? -1 : compareKeys(ra.value.key, rb.value.key);
    if (order === 0) {
      visit(ra.value as PartitionRow, rb.value as PartitionRow);
      [ra, rb] = await Promise.all([ia.next(), ib.next()]);
    } else if (order < 0) {
      visit(ra.value as PartitionRow, undefined);
      ra = await ia.next();
    } else {
      visit(undefined, rb.value as PartitionRow);
      rb = await ib.next();
    }
  }
}

/** What `idgraph diff` reports about two graphs (and a truth file, when given). */
export interface PartitionDiff {
  identifiers: { a: number; b: number; both: number; onlyA: number; onlyB: number };
  persons: {
    /** Persons of a / b holding identifiers both graphs hold. */
    a: number;
    b: number;
    /** b's persons holding identifiers of several of a's persons, and how many of a's persons. */
    merged: number;
    mergedFrom: number;
    /** a's persons whose identifiers several of b's persons hold, and into how many. */
    split: number;
    splitInto: number;
  };
  /** Pairs of b against a as the reference: gained, lost, precision, recall, F1. */
  pairs: PairCounts;
  /** True when both graphs hold the same identifiers in the same persons. */
  identical: boolean;
}

/** Per graph against a truth file: pairs over the identifiers both hold. */
export interface TruthComparison {
  identifiers: { truth: number; inGraph: number; missing: number };
  pairs: PairCounts;
}

/**
 * Accumulates the comparison of a and b (and of each against `truth`: identifier key -> entity)
 * as the merge-join visits their identifiers.
 */
export function createPartitionDiff(truth?: ReadonlyMap<string, string>) {
  const ab = new Contingency();
  const truthA = new Contingency();
  const truthB = new Contingency();
  const counts = { a: 0, b: 0, both: 0, onlyA: 0, onlyB: 0 };
  return {
    visit(a: PartitionRow | undefined, b: PartitionRow | undefined): void {
      if (a) counts.a += 1;
      if (b) counts.b += 1;
      if (a && b) {
        counts.both += 1;
        ab.add(a.personId, b.personId);
      } else if (a) counts.onlyA += 1;
      else counts.onlyB += 1;
      if (!truth) return;
      const entity = truth.get((a ?? b)!.key);
      if (entity === undefined) return;
      if (a) truthA.add(entity, a.personId);
      if (b) truthB.add(entity, b.personId);
    },

    contingency: ab,

    result(): { diff: PartitionDiff; truth?: { a: TruthComparison; b: TruthComparison } } {
      const { merged, split } = ab.changes();
      const pairs = ab.pairs();
      const sum = (m: Map<string, string[]>) => [...m.values()].reduce((s, v) => s + v.length, 0);
      const diff: PartitionDiff = {
        identifiers: { ...counts },
        persons: {
          a: ab.referenceSizes.size,
          b: ab.comparedSizes.size,
          merged: merged.size,
          mergedFrom: sum(merged),
          split: split.size,
          splitInto: sum(split),
        },
        pairs,
        identical:
          counts.onlyA === 0 && counts.onlyB === 0 && pairs.gained === 0 && pairs.lost === 0,
      };
      if (!truth) return { diff };
      const against = (c: Contingency): TruthComparison => ({
        identifiers: {
          truth: truth.size,
          inGraph: c.identifiers,
          missing: truth.size - c.identifiers,
        },
        pairs: c.pairs(),
      });
      return { diff, truth: { a: against(truthA), b: against(truthB) } };
    },
  };
}
