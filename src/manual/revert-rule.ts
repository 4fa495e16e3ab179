/**
 * The rule a revert of a merge splits the current person by (pure; src/manual/manual-revert.ts
 * applies it). Two sides are seeded: `absorbed` = the identifiers the absorbed person brought to the
 * merge, `survivor` = those the survivor held before it. Every other identifier (joined at or after
 * the merge) goes with the side its evidence ties it to most strongly: a maximum spanning forest
 * with two terminals. The person's active links are taken strongest first (confidence descending;
 * ties: the older link first, then the smaller id), and each joins its two ends' groups unless that
 * would join the absorbed side with the survivor side; such a link is withdrawn. A group that no
 * seed reaches (not possible in a connected person) stays with the survivor.
 */

export type RevertSide = 'absorbed' | 'survivor';

export interface RevertLink {
  id: string;
  fromKey: string;
  toKey: string;
  confidence: number;
  createdAt: number;
}

export interface RevertSides {
  sideOf: Map<string, RevertSide>;
  /** The links that cross the two sides: withdrawn by the revert. */
  withdrawn: RevertLink[];
}

/** Strongest first: confidence descending, then the older link, then the smaller id. */
export function compareLinks(a: RevertLink, b: RevertLink): number {
  return (
    b.confidence - a.confidence ||
    a.createdAt - b.createdAt ||
    (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
  );
}

export function revertSides(
  keys: readonly string[],
  links: readonly RevertLink[],
  seeds: { absorbed: ReadonlySet<string>; survivor: ReadonlySet<string> },
): RevertSides {
  const parent = new Map(keys.map((k) => [k, k]));
  const side = new Map<string, RevertSide>();
  for (const k of keys) {
    if (seeds.absorbed.has(k)) side.set(k, 'absorbed');
    else if (seeds.survivor.has(k)) side.set(k, 'survivor');
  }
  const find = (k: string): string => {
    let root = k;
    while (parent.get(root) !== root) root = parent.get(root)!;
    parent.set(k, root);
    return root;
  };
  const withdrawn: RevertLink[] = [];
  for (const link of [...links].sort(compareLinks)) {
    if (!parent.has(link.fromKey) || !parent.has(link.toKey)) continue;
    const a = find(link.fromKey);
    const b = find(link.toKey);
    if (a === b) continue;
    const sa = side.get(a);
    const sb = side.get(b);
    if (sa !== undefined && sb !== undefined && sa !== sb) {
      withdrawn.push(link);
      continue;
    }
    parent.set(b, a);
    const joined = sa ?? sb;
    if (joined !== undefined) side.set(a, joined);
  }
  // Seeds of one side that no kept link joins are separate groups of that side; a link between two
  // such groups of one side was kept above. Only links between the two sides go.
  const sideOf = new Map<string, RevertSide>();
  for (const k of keys) sideOf.set(k, side.get(find(k)) ?? 'survivor');
  return { sideOf, withdrawn };
}
