import { ConsentDeniedError } from '../errors.js';
import type { Graph, GraphTx } from '../graph/graph-client.js';
import { newId } from '../ids.js';
import { splitIfDisconnected } from '../resolver/person-split.js';
import type { PlanWriter } from '../resolver/plan-writer.js';
import { withStaleRetries } from '../resolver/transaction-retry.js';
import { joinManually } from '../reviews/manual-join.js';

/**
 * The manual decisions of the source graph a replay carries over (read/replay-decisions), each
 * applied to the target at its time, between the event batches received before and after it:
 * - `review`: the review of the same record pair in the target (when it has one pending) is decided
 *   as in the source, and a `match` joins the two records' anchors as the decision did (a manual
 *   link, through the resolver's plan writer: locks, limits and constraints as ever); a `no_match`'s
 *   constraint is its own entry;
 * - `constraint`: the CANNOT_LINK (no-match or keep-apart) between the same two identifiers;
 * - `manual_link`: a manual merge's link, joined again with its rule;
 * - `withdrawal`: a link a manual split or a revert withdrew, withdrawn again, and its person split
 *   when it no longer holds together.
 * A decision the target cannot take (an identifier not there: suppressed or not received by then;
 * a refusal by a limit, a constraint or denied consent; a link the target does not hold) is
 * skipped and counted, never forced.
 */

export type DecisionKind = 'review' | 'constraint' | 'manual_link' | 'withdrawal';

export interface Decision {
  kind: DecisionKind;
  /** When the source took it (epoch ms). */
  at: number;
  fromKey: string;
  toKey: string;
  details: Record<string, unknown>;
}

export type DecisionCounts = Record<DecisionKind, { applied: number; skipped: number }>;

export const emptyDecisionCounts = (): DecisionCounts => ({
  review: { applied: 0, skipped: 0 },
  constraint: { applied: 0, skipped: 0 },
  manual_link: { applied: 0, skipped: 0 },
  withdrawal: { applied: 0, skipped: 0 },
});

/** Reads the source's decisions up to `until`, oldest first. */
export async function readDecisions(
  source: Pick<Graph, 'query'>,
  until: number,
): Promise<Decision[]> {
  return source.query<Decision>('read/replay-decisions', { until });
}

const text = (value: unknown): string | null => (typeof value === 'string' ? value : null);

/** Both identifiers exist in the target, locked by this transaction. */
async function lockBoth(tx: GraphTx, d: Decision): Promise<boolean> {
  const keys = [...new Set([d.fromKey, d.toKey])].sort();
  const rows = await tx.run('write/lock-identifiers', { keys });
  return rows.length === keys.length;
}

export function createDecisionApplier(deps: {
  graph: Pick<Graph, 'writeTransaction'>;
  planWriter: Pick<PlanWriter, 'lockAndPlan'>;
  now?: () => number;
}) {
  const now = deps.now ?? Date.now;
  const join = { planWriter: deps.planWriter, now };

  async function joinPair(tx: GraphTx, d: Decision, rule: string | undefined): Promise<boolean> {
    const id = text(d.details.id) ?? newId('lnk');
    const purposes = Array.isArray(d.details.purposes) ? (d.details.purposes as string[]) : [];
    const records = Array.isArray(d.details.records) ? (d.details.records as string[]) : [];
    try {
      const plan = await joinManually(tx, join, {
        fromKey: d.fromKey,
        toKey: d.toKey,
        eventKey: `replay/${id}`,
        source: rule === undefined ? 'review' : 'manual',
        purposes,
        jobId: `replay/${id}`,
        records,
        ...(rule === undefined ? {} : { rule }),
      });
      return plan.refusals.length === 0;
    } catch (error) {
      if (error instanceof ConsentDeniedError) return false;
      throw error;
    }
  }

  async function applyInTx(tx: GraphTx, d: Decision): Promise<boolean> {
    switch (d.kind) {
      case 'constraint': {
        const rows = await tx.run('write/replay-constraint', {
          fromKey: d.fromKey,
          toKey: d.toKey,
          id: text(d.details.id) ?? newId('cst'),
          kind: text(d.details.kind),
          reviewId: text(d.details.reviewId),
          auditId: text(d.details.auditId),
          actor: text(d.details.actor),
          at: d.at,
        });
        return rows.length > 0;
      }
      case 'review': {
        if (!(await lockBoth(tx, d))) return false;
        await tx.run('write/replay-review-decision', {
          key: text(d.details.key),
          reviewId: text(d.details.id),
          decision: text(d.details.decision),
          actor: text(d.details.decidedBy),
          at: d.at,
        });
        // A no-match's constraint is carried as its own entry (same time, applied first).
        return d.details.decision === 'match' ? joinPair(tx, d, undefined) : true;
      }
      case 'manual_link':
        if (!(await lockBoth(tx, d))) return false;
        return joinPair(tx, d, text(d.details.rule) ?? 'manual_merge');
      case 'withdrawal': {
        const at = now();
        const [row] = await tx.run<{ linkId: string; personId: string }>(
          'write/replay-withdraw-link',
          {
            fromKey: d.fromKey,
            toKey: d.toKey,
            at: d.at,
            reason: text(d.details.reason),
            auditId: newId('aud'),
            now: at,
          },
        );
        if (!row) return false;
        await splitIfDisconnected(tx, {
          personId: row.personId,
          linkIds: [row.linkId],
          reason: text(d.details.reason) ?? 'manual_split',
          now: at,
        });
        return true;
      }
    }
  }

  return {
    /** Applies one decision in its own transaction; false when the target could not take it. */
    apply: (d: Decision): Promise<boolean> =>
      withStaleRetries(deps.graph, `replay-${d.kind}`, (tx) => applyInTx(tx, d)),
  };
}
