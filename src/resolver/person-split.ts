import type { GraphTx } from '../graph/graph-client.js';
import { newId } from '../ids.js';

/**
 * Splitting a person whose links no longer hold it together (a link withdrawn). Persons are the
 * connected components of active links, so after a withdrawal the person's identifiers are
 * partitioned again: the part holding the oldest identifier keeps the person id (ids downstream
 * services stored keep answering for most of the person), every other part becomes a new person.
 * The caller holds the person's lock.
 */

export interface SplitPart {
  personId: string;
  identifierKeys: string[];
}

/** Connected components of `keys` under `links`, each sorted, the part with `keep` first. */
export function linkComponents(
  keys: readonly string[],
  links: readonly (readonly [string, string])[],
  keep: string,
): string[][] {
  const parent = new Map(keys.map((k) => [k, k]));
  const find = (k: string): string => {
    let root = k;
    while (parent.get(root) !== root) root = parent.get(root)!;
    parent.set(k, root);
    return root;
  };
  for (const [a, b] of links) {
    if (!parent.has(a) || !parent.has(b)) continue;
    const ra = find(a);
    const rb = find(b);
    if (ra !== rb) parent.set(ra < rb ? rb : ra, ra < rb ? ra : rb);
  }
  const groups = new Map<string, string[]>();
  for (const k of keys) {
    const root = find(k);
    const group = groups.get(root) ?? [];
    group.push(k);
    groups.set(root, group);
  }
  const parts = [...groups.values()].map((g) => g.sort());
  parts.sort((x, y) => (x.includes(keep) ? -1 : y.includes(keep) ? 1 : x[0]! < y[0]! ? -1 : 1));
  return parts;
}

/**
 * Splits the person when it no longer holds together; returns the new persons (none: intact). The
 * caller appends the change feed's entries for it (`splitChanges` in src/changes/change-outbox.ts)
 * with the rest of its transaction's changes.
 */
export async function splitIfDisconnected(
  tx: GraphTx,
  input: {
    personId: string;
    /** The withdrawn links that may have disconnected it (named by the `split` audit record). */
    linkIds: readonly string[];
    reason: string;
    now: number;
    /** A privacy request's split: the audit record names the request and its actor. */
    request?: { requestId: string; requestType: string; actor: string };
  },
): Promise<SplitPart[]> {
  const [row] = await tx.run<{
    identifiers: [string, string, number][];
    links: [string, string][];
  }>('read/person-components', { personId: input.personId });
  if (!row || row.identifiers.length === 0) return [];
  const oldest = [...row.identifiers].sort((a, b) => a[2] - b[2] || (a[0] < b[0] ? -1 : 1))[0]![0];
  const parts = linkComponents(
    row.identifiers.map((i) => i[0]),
    row.links,
    oldest,
  );
  if (parts.length < 2) return [];
  const elementIdOf = new Map(row.identifiers.map((i) => [i[0], i[1]]));
  const created = parts.slice(1).map((keys) => ({ personId: newId('per'), identifierKeys: keys }));
  await tx.run('write/split-person', {
    reason: input.reason,
    now: input.now,
    splits: [
      {
        personId: input.personId,
        linkIds: [...input.linkIds],
        auditId: newId('aud'),
        ...input.request,
        parts: created.map((p) => [p.personId, p.identifierKeys.map((k) => elementIdOf.get(k)!)]),
      },
    ],
  });
  return created;
}
