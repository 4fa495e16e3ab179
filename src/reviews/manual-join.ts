import { ConsentDeniedError } from '../errors.js';
import type { GraphTx } from '../graph/graph-client.js';
import type { PlanWriter } from '../resolver/plan-writer.js';
import type { ResolutionPlan } from '../resolver/resolution-plan.js';
import { StaleResolutionError } from '../resolver/transaction-retry.js';

/** The rule of a link a review decision made. */
export const MANUAL_RULE = 'review_decision';

/**
 * Joins the persons of two identifiers on a manual decision (a review's `match`), inside the
 * caller's transaction: a link with method `manual` and confidence 1, merged and audited as any
 * other join, under the same locks, limits and no-match constraints (the resolver's plan writer).
 * Returns the plan; a refusal in it means nothing was joined. An identifier whose identity_linking
 * consent is denied (read under its lock) links nothing, by decision either: ConsentDeniedError.
 */
export async function joinManually(
  tx: GraphTx,
  deps: { planWriter: Pick<PlanWriter, 'lockAndPlan'>; now: () => number },
  input: {
    fromKey: string;
    toKey: string;
    eventKey: string;
    source: string;
    purposes: readonly string[];
    jobId: string;
    records: readonly string[];
    /** The link's rule: a review's decision unless said otherwise (a manual merge carried by a replay). */
    rule?: string;
  },
): Promise<ResolutionPlan> {
  const at = deps.now();
  const keys = [...new Set([input.fromKey, input.toKey])].sort();
  const rows = await tx.run<{
    key: string;
    elementId: string;
    personId: string | null;
    linkingDenied: boolean;
  }>('write/lock-identifiers', { keys });
  if (rows.length !== keys.length) throw new StaleResolutionError();
  if (rows.some((r) => r.linkingDenied)) throw new ConsentDeniedError();
  const elementIdOf = new Map(rows.map((r) => [r.key, r.elementId]));
  const personOf = new Map<string, string | null>(rows.map((r) => [r.key, r.personId]));
  return deps.planWriter.lockAndPlan(tx, {
    jobId: input.jobId,
    at,
    events: [],
    matches: [
      {
        fromKey: input.fromKey,
        toKey: input.toKey,
        method: 'manual',
        rule: input.rule ?? MANUAL_RULE,
        confidence: 1,
        source: input.source,
        occurredAt: at,
        eventKey: input.eventKey,
        purposes: input.purposes,
        modelVersion: null,
        explanation: null,
        records: input.records,
      },
    ],
    reviews: [],
    elementIdOf,
    personOf,
  });
}
