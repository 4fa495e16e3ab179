import { ConstraintNotFoundError } from '../errors.js';
import type { Graph, GraphTx } from '../graph/graph-client.js';
import { newId } from '../ids.js';
import type { ConstraintAdded, OperationContext } from './manual-outcome.js';

/**
 * Constraints: the one relationship `CANNOT_LINK` between two identifiers, which the resolver reads
 * with the persons it locks and which refuses any join that would put the two into one person
 * (write/lock-persons, src/resolver/resolution-plan.ts). A review's `no_match` writes one (no
 * `kind`: `no_match`); a keep-apart split or a revert writes `kind: 'keep_apart'` between the
 * oldest identifier of each side (persons are connected components, so keeping those two apart
 * keeps the persons apart). Listed and deleted by id; both audited.
 */

/** One side of a keep-apart: the key of its oldest identifier and its person. */
export interface KeepApartSide {
  key: string;
  personId: string;
}

/**
 * Writes a keep-apart constraint between every side of `a` and every side of `b` (usually one
 * each), tied to the operation's audit record, and audits them (`constraint_added`). Returns those
 * created (a pair already constrained keeps its constraint).
 */
export async function keepApart(
  ctx: OperationContext,
  a: readonly KeepApartSide[],
  b: readonly KeepApartSide[],
): Promise<ConstraintAdded[]> {
  const pairs = a.flatMap((x) => b.map((y) => [x, y] as const));
  if (pairs.length === 0) return [];
  const rows = pairs.map(([x, y]) => [x.key, y.key, newId('cst')]);
  const written = await ctx.tx.run<{ asked: string; id: string }>('write/add-constraints', {
    rows,
    kind: 'keep_apart',
    auditId: ctx.auditId,
    actor: ctx.actor,
    now: ctx.now,
  });
  const created = new Set(written.filter((w) => w.asked === w.id).map((w) => w.id));
  const added = pairs.flatMap(([x, y], i): ConstraintAdded[] =>
    created.has(rows[i]![2]!)
      ? [{ id: rows[i]![2]!, kind: 'keep_apart', personIds: [x.personId, y.personId] }]
      : [],
  );
  if (added.length > 0)
    await ctx.tx.run('write/manual-audit', {
      records: [
        {
          id: newId('aud'),
          kind: 'constraint_added',
          at: ctx.now,
          actor: ctx.actor,
          reason: 'keep_apart',
          note: ctx.note,
          personIds: [...new Set(added.flatMap((c) => c.personIds))].sort(),
          constraintIds: added.map((c) => c.id),
          sourceAuditId: ctx.auditId,
        },
      ],
      tag: null,
    });
  return added;
}

export interface ConstraintView {
  id: string;
  kind: 'no_match' | 'keep_apart';
  createdAt: string | null;
  actor: string | null;
  reviewId: string | null;
  auditId: string | null;
  /** Each identifier's type and current person (null: no person); never its value. */
  identifiers: { type: string; personId: string | null }[];
}

export function createConstraintService(deps: {
  graph: Pick<Graph, 'query' | 'writeTransaction'>;
}) {
  return {
    /** A page of constraints in id order after `cursor` (the last id of the page before). */
    async list(input: {
      cursor?: string | undefined;
      limit: number;
    }): Promise<{ items: ConstraintView[]; next: string | null }> {
      const rows = await deps.graph.query<{
        id: string;
        kind: 'no_match' | 'keep_apart';
        createdAt: number | null;
        actor: string | null;
        reviewId: string | null;
        auditId: string | null;
        from: [string, string | null];
        to: [string, string | null];
      }>('read/constraints-page', { after: input.cursor ?? null, limit: input.limit });
      const items = rows.map((r) => ({
        id: r.id,
        kind: r.kind,
        createdAt: r.createdAt === null ? null : new Date(r.createdAt).toISOString(),
        actor: r.actor,
        reviewId: r.reviewId,
        auditId: r.auditId,
        identifiers: [r.from, r.to].map(([type, personId]) => ({ type, personId })),
      }));
      return { items, next: items.length === input.limit ? items.at(-1)!.id : null };
    },

    /** Deletes one constraint and audits it (`constraint_removed`, with the operator's note). */
    async remove(input: { id: string; actor: string; note: string }): Promise<{ auditId: string }> {
      return deps.graph.writeTransaction('constraint-remove', async (tx: GraphTx) => {
        const [row] = await tx.run<{ kind: string; personIds: string[] }>(
          'write/remove-constraint',
          { id: input.id },
        );
        if (!row) throw new ConstraintNotFoundError();
        const auditId = newId('aud');
        await tx.run('write/manual-audit', {
          records: [
            {
              id: auditId,
              kind: 'constraint_removed',
              at: Date.now(),
              actor: input.actor,
              reason: row.kind,
              note: input.note,
              personIds: [...new Set(row.personIds)].sort(),
              constraintIds: [input.id],
            },
          ],
          tag: null,
        });
        return { auditId };
      });
    },
  };
}

export type ConstraintService = ReturnType<typeof createConstraintService>;
