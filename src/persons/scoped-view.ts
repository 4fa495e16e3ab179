import { createHash } from 'node:crypto';

/**
 * Scoped views: the part of a person that a given use may see.
 *
 * A link qualifies for a scope when it is active, its confidence is at least `minConfidence`, and
 * (when a `purpose` is given) at least one event that asserted it consented to that purpose. A
 * person's scoped components are the connected components of its identifiers under qualifying
 * links. Two identifiers share a scoped person id exactly when one is reachable from the other
 * through qualifying links, so a client with a scope cannot learn of a join made only through
 * evidence it may not use — not even by comparing ids.
 *
 * Scoped person id: the person id itself when the component is the whole person; otherwise
 * `<personId>~<anchor>`, where the anchor is an opaque digest of the component's oldest identifier
 * node. It is stable while that identifier stays in the component.
 */

export interface Scope {
  purpose?: string | undefined;
  minConfidence?: number | undefined;
}

export interface ScopeLink {
  fromKey: string;
  toKey: string;
  status: string;
  confidence: number;
  purposes: readonly string[];
}

export interface ScopeIdentifier {
  key: string;
  createdAt: number;
  /** The node's element id: opaque, never shown, only digested into the anchor. */
  ref: string;
}

export interface ScopedComponent {
  keys: Set<string>;
  anchorRef: string;
}

export function qualifies(link: ScopeLink, scope: Scope): boolean {
  return (
    link.status === 'active' &&
    link.confidence >= (scope.minConfidence ?? 0) &&
    (scope.purpose === undefined || link.purposes.includes(scope.purpose))
  );
}

const older = (a: ScopeIdentifier, b: ScopeIdentifier) =>
  a.createdAt < b.createdAt || (a.createdAt === b.createdAt && a.key < b.key);

export function anchorOf(identifiers: readonly ScopeIdentifier[]): ScopeIdentifier | undefined {
  let anchor: ScopeIdentifier | undefined;
  for (const i of identifiers) if (!anchor || older(i, anchor)) anchor = i;
  return anchor;
}

const digest = (ref: string) => createHash('sha256').update(ref).digest('base64url').slice(0, 16);

export function scopedComponents(
  identifiers: readonly ScopeIdentifier[],
  links: readonly ScopeLink[],
  scope: Scope,
): ScopedComponent[] {
  const byKey = new Map(identifiers.map((i) => [i.key, i]));
  const neighbours = new Map<string, string[]>();
  for (const link of links) {
    if (!qualifies(link, scope) || !byKey.has(link.fromKey) || !byKey.has(link.toKey)) continue;
    neighbours.set(link.fromKey, [...(neighbours.get(link.fromKey) ?? []), link.toKey]);
    neighbours.set(link.toKey, [...(neighbours.get(link.toKey) ?? []), link.fromKey]);
  }
  const seen = new Set<string>();
  const components: ScopedComponent[] = [];
  for (const start of identifiers) {
    if (seen.has(start.key)) continue;
    const keys = new Set<string>([start.key]);
    const queue = [start.key];
    seen.add(start.key);
    while (queue.length > 0) {
      const key = queue.pop()!;
      for (const next of neighbours.get(key) ?? []) {
        if (seen.has(next)) continue;
        seen.add(next);
        keys.add(next);
        queue.push(next);
      }
    }
    const anchor = anchorOf([...keys].map((k) => byKey.get(k)!))!;
    components.push({ keys, anchorRef: digest(anchor.ref) });
  }
  return components;
}

export function scopedPersonId(
  personId: string,
  component: ScopedComponent,
  personSize: number,
): string {
  return component.keys.size === personSize ? personId : `${personId}~${component.anchorRef}`;
}

/** Splits `per_x~anchor` into its parts; a plain id has no anchor. */
export function parseScopedId(id: string): { personId: string; anchor: string | undefined } {
  const tilde = id.indexOf('~');
  return tilde < 0
    ? { personId: id, anchor: undefined }
    : { personId: id.slice(0, tilde), anchor: id.slice(tilde + 1) };
}
