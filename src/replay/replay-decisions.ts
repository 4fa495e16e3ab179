import { ConsentDeniedError } from '../errors.js';
import type { Graph, GraphTx } from '../graph/graph-client.js';
import { newId } from '../ids.js';
import { reanchorEvents } from '../resolver/event-anchors.js';
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
 * - `withdrawal`: a link a manual split or a revert withdrew, withdrawn again with the others of its
 *   operation (its time), an event's identifiers on each side linked again at a new anchor, and
 *   its person split when it no longer holds together.
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

/**
 * The sides a manual operation's withdrawn links crossed (a split's or a revert's): each link
 * joins its ends' opposite sides, found by colouring each connected group of the links (a side
 * is named by its group's first key and its colour: groups the links do not connect are not
 * compared). An identifier whose side the links contradict has none.
 */
export function crossedSides(
  links: readonly Pick<Decision, 'fromKey' | 'toKey'>[],
): Map<string, string> {
  const next = new Map<string, string[]>();
  for (const { fromKey, toKey } of links) {
    next.set(fromKey, [...(next.get(fromKey) ?? []), toKey]);
    next.set(toKey, [...(next.get(toKey) ?? []), fromKey]);
  }
  const side = new Map<string, number>();
  const groupOf = new Map<string, string>();
  const contradicted = new Set<string>();
  for (const start of [...next.keys()].sort()) {
    if (side.has(start)) continue;
    side.set(start, 0);
    const queue = [start];
    while (queue.length > 0) {
      const key = queue.shift()!;
      groupOf.set(key, start);
      for (const other of next.get(key) ?? []) {
        const want = 1 - side.get(key)!;
        if (!side.has(other)) {
          side.set(other, want);
          queue.push(other);
        } else if (side.get(other) !== want) contradicted.add(other).add(key);
      }
    }
  }
  for (const key of contradicted) side.delete(key);
  return new Map([...side].map(([key, colour]) => [key, `${groupOf.get(key)}/${colour}`]));
}

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
      case 'withdrawal':
        return (await withdrawInTx(tx, [d]))[0]!;
    }
  }

  /**
   * The withdrawals of one manual operation (one `at`), together: each link withdrawn again, the
   * identifiers of an event a withdrawn link held at its anchor linked again on each side (the
   * sides the withdrawn links cross: src/resolver/event-anchors.ts), then each person split when
   * it no longer holds together. Per decision, whether the target held the link.
   */
  async function withdrawInTx(tx: GraphTx, group: readonly Decision[]): Promise<boolean[]> {
    const at = now();
    const withdrawn: { linkId: string; personId: string }[] = [];
    for (const d of group) {
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
      if (row) withdrawn.push(row);
      else withdrawn.push({ linkId: '', personId: '' });
    }
    const held = withdrawn.filter((w) => w.linkId !== '');
    const side = crossedSides(group);
    await reanchorEvents(tx, {
      linkIds: held.map((w) => w.linkId),
      leaving: new Set(),
      sideOf: (key, personId) => {
        const s = side.get(key);
        return s === undefined || personId === null ? undefined : `${personId}/${s}`;
      },
      reason: 'replay',
      now: at,
    });
    const reason = text(group[0]?.details.reason) ?? 'manual_split';
    for (const personId of [...new Set(held.map((w) => w.personId))].sort())
      await splitIfDisconnected(tx, {
        personId,
        linkIds: held.filter((w) => w.personId === personId).map((w) => w.linkId),
        reason,
        now: at,
      });
    return withdrawn.map((w) => w.linkId !== '');
  }

  return {
    /** Applies one decision in its own transaction; false when the target could not take it. */
    apply: (d: Decision): Promise<boolean> =>
      withStaleRetries(deps.graph, `replay-${d.kind}`, (tx) => applyInTx(tx, d)),
    /** Applies the withdrawals of one operation in one transaction ({@link withdrawInTx}). */
    withdraw: (group: readonly Decision[]): Promise<boolean[]> =>
      withStaleRetries(deps.graph, 'replay-withdrawal', (tx) => withdrawInTx(tx, group)),
  };
}
