import type { IdentityEvent } from '../../src/events/event-schema.js';
import { createRandom } from '../../src/matching/training/random-source.js';

/**
 * A seeded generator of identity event streams with ground truth, for correctness tests and
 * benchmarks. Each synthetic person owns a disjoint set of identifiers (at most one user_id and one
 * crm_id, so the stream is conflict-free under the default merge limits); each event carries 2-4 of
 * one person's identifiers, and the first events of a person walk a spanning tree over them, so
 * the true partition is exactly the persons.
 */

export interface GeneratedStream {
  events: IdentityEvent[];
  /** identifier key (normalised, `type:value`) -> true person index */
  truth: Map<string, number>;
}

/** The seeded random source training uses: small, fast, seedable; good enough for test data. */
export const prng = createRandom;

export function shuffle<T>(items: T[], random: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

export function generateStream(options: {
  events: number;
  seed?: number;
  source?: string;
}): GeneratedStream {
  const random = prng(options.seed ?? 42);
  const pick = (n: number) => Math.floor(random() * n);
  const events: IdentityEvent[] = [];
  const truth = new Map<string, number>();
  const base = Date.parse('2026-01-01T00:00:00Z');
  let person = 0;
  while (events.length < options.events) {
    const p = person++;
    const ids: { type: string; value: string }[] = [
      { type: 'email', value: `person${p}@example.org` },
      { type: 'cookie_id', value: `ck-${p}-a` },
    ];
    if (random() < 0.7) ids.push({ type: 'user_id', value: `u${p}` });
    if (random() < 0.5) ids.push({ type: 'crm_id', value: `crm${p}` });
    if (random() < 0.6) ids.push({ type: 'device_id', value: `dev-${p}` });
    if (random() < 0.5)
      ids.push({ type: 'phone', value: `+1415${String(2000000 + p).padStart(7, '0')}` });
    const cookies = pick(3);
    for (let c = 0; c < cookies; c++) ids.push({ type: 'cookie_id', value: `ck-${p}-${c}x` });
    for (const id of ids) truth.set(`${id.type}:${id.value}`, p);

    // Spanning tree first (each new identifier with one already seen), then random extra sightings.
    const order = shuffle(ids, random);
    const groups: { type: string; value: string }[][] = [];
    for (let i = 1; i < order.length; i++) {
      const group = [order[i]!, order[pick(i)]!];
      if (random() < 0.4 && i >= 2) group.push(order[pick(i)]!);
      groups.push(group);
    }
    const extra = pick(3);
    for (let e = 0; e < extra; e++)
      groups.push(shuffle(order, random).slice(0, 2 + pick(Math.min(3, order.length - 1))));
    for (const group of groups) {
      if (events.length >= options.events) break;
      const distinct = [...new Map(group.map((g) => [`${g.type}:${g.value}`, g])).values()];
      events.push({
        id: `ev-${events.length}`,
        source: options.source ?? ['web', 'crm', 'pos', 'app'][pick(4)]!,
        occurredAt: new Date(base + events.length * 1000).toISOString(),
        identifiers: distinct.map((g) => ({ type: g.type, value: g.value })),
      });
    }
  }
  // Identifiers of a person cut off by the event budget may never appear: keep only those that do.
  const seen = new Set(events.flatMap((e) => e.identifiers.map((i) => `${i.type}:${i.value}`)));
  for (const key of [...truth.keys()]) if (!seen.has(key)) truth.delete(key);
  return { events, truth };
}

/** Pairwise precision and recall of a predicted partition against the truth (over the truth's keys). */
export function pairwiseScores(
  predicted: Map<string, string>,
  truth: Map<string, number | string>,
) {
  const choose2 = (n: number) => (n * (n - 1)) / 2;
  const cells = new Map<string, number>();
  const predSizes = new Map<string, number>();
  const truthSizes = new Map<string, number>();
  for (const [key, t] of truth) {
    const p = predicted.get(key);
    if (p === undefined) throw new Error('an identifier of the truth is missing from the graph');
    cells.set(`${p}\u0000${t}`, (cells.get(`${p}\u0000${t}`) ?? 0) + 1);
    predSizes.set(p, (predSizes.get(p) ?? 0) + 1);
    truthSizes.set(String(t), (truthSizes.get(String(t)) ?? 0) + 1);
  }
  let tp = 0;
  for (const n of cells.values()) tp += choose2(n);
  let predictedPairs = 0;
  for (const n of predSizes.values()) predictedPairs += choose2(n);
  let truePairs = 0;
  for (const n of truthSizes.values()) truePairs += choose2(n);
  return {
    precision: predictedPairs === 0 ? 1 : tp / predictedPairs,
    recall: truePairs === 0 ? 1 : tp / truePairs,
    tp,
    predictedPairs,
    truePairs,
  };
}

/** A partition as a canonical, id-free value: sorted groups of sorted keys. */
export function canonicalPartition(personOf: Map<string, string>): string[] {
  const groups = new Map<string, string[]>();
  for (const [key, person] of personOf) groups.set(person, [...(groups.get(person) ?? []), key]);
  return [...groups.values()].map((g) => g.sort().join('|')).sort();
}
