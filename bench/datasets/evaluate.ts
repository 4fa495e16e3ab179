/**
 * Pairwise accuracy against a ground truth, for the accuracy benchmark and the offline evaluation
 * (bench/peers/). A "pair" is an unordered pair of record ids; in `link` mode only pairs of records
 * from different sources count (as in Splink's link-only accuracy), in `dedupe` mode every pair
 * does. Recall is over all true pairs, including those blocking never proposed, so blocking misses
 * count as false negatives.
 */

export type EvaluationMode = 'dedupe' | 'link';

export interface PairwiseMetrics {
  readonly truePositives: number;
  readonly falsePositives: number;
  readonly falseNegatives: number;
  readonly precision: number;
  readonly recall: number;
  readonly f1: number;
}

export interface TruthRecord {
  readonly id: string;
  /** Records with the same entity are the same person. */
  readonly entity: string;
  readonly source?: string;
}

export function metricsFromCounts(tp: number, fp: number, fn: number): PairwiseMetrics {
  const precision = tp + fp === 0 ? 1 : tp / (tp + fp);
  const recall = tp + fn === 0 ? 1 : tp / (tp + fn);
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return { truePositives: tp, falsePositives: fp, falseNegatives: fn, precision, recall, f1 };
}

/** Pairs among a group of records: all of them (dedupe) or only those across sources (link). */
function pairsWithin(
  sources: ReadonlyMap<string | undefined, number>,
  mode: EvaluationMode,
): number {
  let n = 0;
  let sameSource = 0;
  for (const count of sources.values()) {
    n += count;
    sameSource += (count * (count - 1)) / 2;
  }
  const all = (n * (n - 1)) / 2;
  return mode === 'dedupe' ? all : all - sameSource;
}

function countGroups(
  keys: Iterable<{ group: string; source: string | undefined }>,
  mode: EvaluationMode,
): number {
  const groups = new Map<string, Map<string | undefined, number>>();
  for (const { group, source } of keys) {
    let sources = groups.get(group);
    if (!sources) groups.set(group, (sources = new Map<string | undefined, number>()));
    sources.set(source, (sources.get(source) ?? 0) + 1);
  }
  let total = 0;
  for (const sources of groups.values()) total += pairsWithin(sources, mode);
  return total;
}

/** Number of true pairs in the truth. */
export function countTruePairs(truth: readonly TruthRecord[], mode: EvaluationMode): number {
  return countGroups(
    truth.map((r) => ({ group: r.entity, source: r.source })),
    mode,
  );
}

/**
 * Metrics for predicted pairs (e.g. every scored pair at or above a threshold). Duplicate and
 * reversed pairs count once; pairs that do not count in `mode` are ignored.
 */
export function pairwiseMetrics(
  predicted: Iterable<readonly [string, string]>,
  truth: readonly TruthRecord[],
  mode: EvaluationMode,
): PairwiseMetrics {
  const byId = new Map(truth.map((r) => [r.id, r]));
  const seen = new Set<string>();
  let tp = 0;
  let fp = 0;
  for (const [a, b] of predicted) {
    if (a === b) continue;
    const key = a < b ? `${a}\u0000${b}` : `${b}\u0000${a}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const left = byId.get(a);
    const right = byId.get(b);
    if (!left || !right)
      throw new Error('pairwiseMetrics: predicted pair names a record not in the truth');
    if (mode === 'link' && left.source === right.source) continue;
    if (left.entity === right.entity) tp += 1;
    else fp += 1;
  }
  return metricsFromCounts(tp, fp, countTruePairs(truth, mode) - tp);
}

/**
 * Connected components of the graph whose edges are `pairs` (union–find): how the service turns
 * pairwise links into persons. Returns record id -> cluster id (the smallest member id, so the
 * result does not depend on edge order).
 */
export function connectedComponents(
  ids: readonly string[],
  pairs: Iterable<readonly [string, string]>,
): Map<string, string> {
  const parent = new Map<string, string>(ids.map((id) => [id, id]));
  const find = (id: string): string => {
    let root = id;
    while (parent.get(root)! !== root) root = parent.get(root)!;
    let node = id;
    while (node !== root) {
      const next = parent.get(node)!;
      parent.set(node, root);
      node = next;
    }
    return root;
  };
  for (const [a, b] of pairs) {
    if (!parent.has(a) || !parent.has(b))
      throw new Error('connectedComponents: pair names an unknown id');
    const ra = find(a);
    const rb = find(b);
    if (ra === rb) continue;
    // The smaller id becomes the root, so a cluster is named by its smallest member.
    if (ra < rb) parent.set(rb, ra);
    else parent.set(ra, rb);
  }
  return new Map(ids.map((id) => [id, find(id)]));
}

/**
 * Pairwise metrics of a clustering: a pair is predicted when both records are in the same cluster.
 * Counted from cluster/entity intersections, so it is linear in the number of records.
 */
export function clusterMetrics(
  clusterOf: ReadonlyMap<string, string>,
  truth: readonly TruthRecord[],
  mode: EvaluationMode,
): PairwiseMetrics {
  const predictedPairs = countGroups(
    truth.map((r) => {
      const group = clusterOf.get(r.id);
      if (group === undefined) throw new Error('clusterMetrics: a truth record has no cluster');
      return { group, source: r.source };
    }),
    mode,
  );
  const tp = countGroups(
    truth.map((r) => ({ group: `${clusterOf.get(r.id)!}\u0000${r.entity}`, source: r.source })),
    mode,
  );
  return metricsFromCounts(tp, predictedPairs - tp, countTruePairs(truth, mode) - tp);
}
