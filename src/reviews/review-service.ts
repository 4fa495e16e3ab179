import type { Graph, GraphTx } from '../graph/graph-client.js';
import { AppError, NotFoundError } from '../errors.js';
import { newId } from '../ids.js';
import { expandExplanation } from '../matching/scoring/explanation.js';
import type { PlanWriter } from '../resolver/plan-writer.js';
import { withStaleRetries } from '../resolver/transaction-retry.js';
import { joinManually } from './manual-join.js';

/**
 * The review queue: record pairs whose match probability fell in the review band, for a data team
 * to decide. A `match` joins the two records' persons through a manual link (confidence 1, audited
 * as a merge); a `no_match` stores a constraint that refuses any later join of the two, by any rule.
 * Both are audited by review id, decision and deciding key; the free-text reason stays on the review.
 */

export type ReviewStatus = 'pending' | 'decided';
export type ReviewDecision = 'match' | 'no_match';

export interface ReviewRecordView {
  id: string;
  source: string;
  eventKey: string;
  /** Normalised attribute values the pair was scored on. */
  attributes: Record<string, string>;
  anchor: { type: string; value: string } | null;
  personId: string | null;
}

export interface ReviewView {
  id: string;
  status: ReviewStatus;
  probability: number;
  matchWeight: number;
  modelVersion: string;
  explanation: unknown;
  createdAt: string;
  decision?: ReviewDecision;
  reason?: string;
  decidedBy?: string;
  decidedAt?: string;
  records: ReviewRecordView[];
}

export class ReviewNotFoundError extends NotFoundError {
  constructor() {
    super('review', 'REVIEW_NOT_FOUND');
  }
}

/** The decision cannot be applied as asked: already decided, or it contradicts the graph. */
export class ReviewConflictError extends AppError {
  constructor(message: string, code: string) {
    super(message, 409, code);
  }
}

export type ReviewService = ReturnType<typeof createReviewService>;

const iso = (ms: unknown) => (typeof ms === 'number' ? new Date(ms).toISOString() : undefined);

export function createReviewService(deps: {
  graph: Pick<Graph, 'query' | 'writeTransaction'>;
  /** The resolver's plan writer: a `match` joins persons as ingestion would. */
  planWriter: Pick<PlanWriter, 'lockAndPlan'>;
}) {
  const join = { planWriter: deps.planWriter, now: Date.now };
  return {
    async list(filter: { status: ReviewStatus; limit: number }): Promise<ReviewView[]> {
      const rows = await deps.graph.query<{
        review: Record<string, unknown>;
        records: {
          id: string;
          source: string;
          values: string;
          eventKey: string;
          anchorType: string | null;
          anchorValue: string | null;
          personId: string | null;
        }[];
        template: string | null;
      }>('read/reviews-by-status', filter);
      return rows.map(({ review: r, records, template }) => ({
        id: r.id as string,
        status: r.status as ReviewStatus,
        probability: r.probability as number,
        matchWeight: r.matchWeight as number,
        modelVersion: r.modelVersion as string,
        explanation: expandExplanation(r.explanation as string, template),
        createdAt: iso(r.createdAt)!,
        ...(r.decision === undefined ? {} : { decision: r.decision as ReviewDecision }),
        ...(r.reason === undefined || r.reason === null ? {} : { reason: r.reason as string }),
        ...(r.decidedBy === undefined ? {} : { decidedBy: r.decidedBy as string }),
        ...(r.decidedAt === undefined ? {} : { decidedAt: iso(r.decidedAt)! }),
        records: records.map((rec) => ({
          id: rec.id,
          source: rec.source,
          eventKey: rec.eventKey,
          attributes: JSON.parse(rec.values) as Record<string, string>,
          anchor:
            rec.anchorType === null || rec.anchorValue === null
              ? null
              : { type: rec.anchorType, value: rec.anchorValue },
          personId: rec.personId,
        })),
      }));
    },

    /**
     * Applies a decision in one transaction with the review locked, so two decisions on one item
     * serialise: the second finds it decided (409).
     */
    async decide(input: {
      reviewId: string;
      decision: ReviewDecision;
      reason: string | undefined;
      actor: string;
    }): Promise<{ reviewId: string; decision: ReviewDecision; personIds: string[] }> {
      // A person moved between the read and the locks (a concurrent batch): the decision runs again.
      return withStaleRetries(deps.graph, 'review-decision', (tx) => decideInTx(tx, input));
    },
  };

  async function decideInTx(
    tx: GraphTx,
    input: {
      reviewId: string;
      decision: ReviewDecision;
      reason: string | undefined;
      actor: string;
    },
  ): Promise<{ reviewId: string; decision: ReviewDecision; personIds: string[] }> {
    const [review] = await tx.run<{
      status: string;
      records: [string, string, string[], string][];
    }>('write/lock-review', { reviewId: input.reviewId });
    if (!review) throw new ReviewNotFoundError();
    if (review.status !== 'pending')
      throw new ReviewConflictError('the review is already decided', 'REVIEW_ALREADY_DECIDED');
    const records = review.records.filter((r) => r[0] !== null);
    if (records.length !== 2)
      throw new ReviewConflictError(
        'a record of the review no longer exists (erased)',
        'REVIEW_RECORDS_GONE',
      );
    const [[leftKey, fromKey, leftPurposes], [rightKey, toKey, rightPurposes]] = records as [
      [string, string, string[], string],
      [string, string, string[], string],
    ];
    let personIds: string[];
    if (input.decision === 'match') {
      const plan = await joinManually(tx, join, {
        fromKey,
        toKey,
        eventKey: `review/${input.reviewId}`,
        source: 'review',
        purposes: leftPurposes.filter((p) => rightPurposes.includes(p)),
        jobId: `review/${input.reviewId}`,
        records: [leftKey, rightKey],
      });
      const refusal = plan.refusals[0];
      if (refusal)
        throw new ReviewConflictError(
          refusal.reason === 'limit_exceeded'
            ? `joining would exceed the ${refusal.identifierType} limit of a person`
            : 'a no-match decision keeps these persons apart',
          refusal.reason === 'limit_exceeded' ? 'MERGE_LIMIT_EXCEEDED' : 'NO_MATCH_CONSTRAINT',
        );
      personIds = [
        ...new Set([plan.personOf.get(fromKey)!, ...plan.merges.map((m) => m.absorbedId)]),
      ];
    } else {
      const persons = await tx.run<{ key: string; personId: string | null }>(
        'write/lock-identifiers',
        { keys: [...new Set([fromKey, toKey])].sort() },
      );
      const ids = [...new Set(persons.map((p) => p.personId).filter((p) => p !== null))];
      if (fromKey === toKey || ids.length < 2)
        throw new ReviewConflictError(
          'the two records already belong to one person; undo that merge first',
          'ALREADY_ONE_PERSON',
        );
      personIds = ids.sort();
    }
    await tx.run('write/decide-review', {
      reviewId: input.reviewId,
      decision: input.decision,
      reason: input.reason ?? null,
      actor: input.actor,
      now: Date.now(),
      fromKey,
      toKey,
      personIds,
      auditId: newId('aud'),
      constraintId: newId('cst'),
    });
    return { reviewId: input.reviewId, decision: input.decision, personIds };
  }
}
