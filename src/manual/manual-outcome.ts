import type { GraphTx } from '../graph/graph-client.js';

/**
 * What a manual operation answers, dry run or not: each person it touched with the identifiers
 * that moved in and out of it, the links it withdrew and the constraints it added. Identifier
 * values are personal data: they are given only to a caller that may read persons
 * (`persons:read`); others get the types and counts.
 */

export interface IdentifierGroup {
  type: string;
  count: number;
  /** The normalised values, sorted; only for a caller with `persons:read`. */
  values?: string[];
}

export interface PersonOutcome {
  personId: string;
  /** The person's status after the operation: `active`, or `merged` for a person merged away. */
  status: string;
  /** True for a person the operation created. */
  created: boolean;
  identifiersIn: IdentifierGroup[];
  identifiersOut: IdentifierGroup[];
}

export interface ConstraintAdded {
  id: string;
  kind: 'keep_apart';
  /** The persons of its two identifiers after the operation. */
  personIds: [string, string];
}

export interface ManualOutcome {
  dryRun: boolean;
  /** The operation's audit record (a dry run's is rolled back with the rest). */
  auditId: string;
  persons: PersonOutcome[];
  linksWithdrawn: string[];
  constraintsAdded: ConstraintAdded[];
}

/** What an operation's transaction did, before its moves are read back. */
export interface OperationEffect {
  /** Every person it touched, the one the operation was about first. */
  personIds: string[];
  linksWithdrawn: string[];
  constraintsAdded: ConstraintAdded[];
}

/** The operation's own transaction, its time (every record and move carries it) and audit id. */
export interface OperationContext {
  tx: GraphTx;
  now: number;
  auditId: string;
  actor: string;
  /** The operator's free-text reason: kept as the audit records' `note`. */
  note: string;
}

function groups(pairs: readonly [string, string][], showValues: boolean): IdentifierGroup[] {
  const byType = new Map<string, string[]>();
  for (const [type, value] of pairs) byType.set(type, [...(byType.get(type) ?? []), value]);
  return [...byType.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([type, values]) => ({
      type,
      count: values.length,
      ...(showValues ? { values: values.sort() } : {}),
    }));
}

/**
 * Reads back, in the operation's transaction, what moved in and out of each person it touched:
 * every move of the membership history carries the transaction's time (read/manual-moves).
 */
export async function readOutcome(
  ctx: Pick<OperationContext, 'tx' | 'now' | 'auditId'>,
  effect: OperationEffect,
  options: { dryRun: boolean; showValues: boolean },
): Promise<ManualOutcome> {
  const rows = await ctx.tx.run<{
    personId: string;
    status: string;
    created: boolean;
    joined: [string, string][];
    left: [string, string][];
  }>('read/manual-moves', { personIds: effect.personIds, now: ctx.now });
  const byId = new Map(rows.map((r) => [r.personId, r]));
  return {
    dryRun: options.dryRun,
    auditId: ctx.auditId,
    persons: effect.personIds.flatMap((id) => {
      const row = byId.get(id);
      if (!row) return [];
      return [
        {
          personId: id,
          status: row.status,
          created: row.created,
          identifiersIn: groups(row.joined, options.showValues),
          identifiersOut: groups(row.left, options.showValues),
        },
      ];
    }),
    linksWithdrawn: [...effect.linksWithdrawn].sort(),
    constraintsAdded: effect.constraintsAdded,
  };
}

/** The oldest of some identifiers (createdAt, then key): the one a constraint or an id follows. */
export function oldestKey(keys: readonly string[], createdAt: ReadonlyMap<string, number>): string {
  return [...keys].sort(
    (a, b) => createdAt.get(a)! - createdAt.get(b)! || (a < b ? -1 : a > b ? 1 : 0),
  )[0]!;
}
