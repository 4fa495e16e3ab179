import { ConsentDeniedError, ManualOperationRefusedError, PersonNotFoundError } from '../errors.js';
import type { PlanWriter } from '../resolver/plan-writer.js';
import { StaleResolutionError } from '../resolver/transaction-retry.js';
import type { OperationContext, OperationEffect } from './manual-outcome.js';

/**
 * A manual merge (`POST /v1/persons/merge`): the persons are joined as the resolver joins them,
 * through its plan writer (src/resolver/plan-writer.ts) under its locks, merge limits and
 * constraints: a link with method `manual`, rule `manual_merge` and confidence 1 between the oldest
 * identifier of the oldest person and the oldest identifier of each other person; the oldest person
 * survives, the others become tombstones, each merge audited `merge` (job `manual/<audit id>`, with
 * the actor and note) beside the operation's own `manual_merge` record. A join the limits or a
 * constraint refuse refuses the whole operation (409) and changes nothing: an operator's request is
 * not evidence to keep, unlike an event's refused link. A merged id stands for its survivor; two ids
 * that are one person are refused.
 */

/** The rule of the links a manual merge makes. */
export const MANUAL_MERGE_RULE = 'manual_merge';

export async function mergeInTx(
  ctx: OperationContext,
  planWriter: Pick<PlanWriter, 'lockAndPlan'>,
  input: { personIds: readonly string[] },
): Promise<OperationEffect> {
  const asked = [...new Set(input.personIds)];
  const rows = await ctx.tx.run<{
    asked: string;
    personId: string;
    createdAt: number;
    oldestKey: string | null;
  }>('read/manual-persons', { personIds: asked });
  if (rows.length !== asked.length) throw new PersonNotFoundError();
  const persons = [...new Map(rows.map((r) => [r.personId, r])).values()];
  if (persons.length !== input.personIds.length)
    throw new ManualOperationRefusedError(
      'two of the ids given are one person already',
      'SAME_PERSON',
    );
  // An active person always holds an identifier; one without moved under us.
  if (persons.some((p) => p.oldestKey === null)) throw new StaleResolutionError();
  persons.sort((a, b) => a.createdAt - b.createdAt || (a.personId < b.personId ? -1 : 1));

  const keys = persons.map((p) => p.oldestKey!);
  const locked = await ctx.tx.run<{
    key: string;
    elementId: string;
    personId: string | null;
    linkingDenied: boolean;
  }>('write/lock-identifiers', { keys: [...keys].sort() });
  const personOf = new Map(locked.map((r) => [r.key, r.personId]));
  if (persons.some((p) => personOf.get(p.oldestKey!) !== p.personId))
    throw new StaleResolutionError();
  if (locked.some((r) => r.linkingDenied)) throw new ConsentDeniedError();

  const jobId = `manual/${ctx.auditId}`;
  const [first, ...rest] = keys as [string, ...string[]];
  const plan = await planWriter.lockAndPlan(ctx.tx, {
    jobId,
    at: ctx.now,
    events: [],
    matches: rest.map((other) => ({
      fromKey: first,
      toKey: other,
      method: 'manual' as const,
      rule: MANUAL_MERGE_RULE,
      confidence: 1,
      source: 'manual',
      occurredAt: ctx.now,
      eventKey: jobId,
      // A manual merge says who is who, not what anyone consented to: its links grant no purpose.
      purposes: [],
      modelVersion: null,
      explanation: null,
      records: null,
    })),
    reviews: [],
    elementIdOf: new Map(locked.map((r) => [r.key, r.elementId])),
    personOf,
  });
  const refusal = plan.refusals[0];
  if (refusal)
    throw refusal.reason === 'limit_exceeded'
      ? new ManualOperationRefusedError(
          `joining would give the person ${refusal.wouldHave} identifiers of type ${refusal.identifierType}, over its limit of ${refusal.limit}`,
          'MERGE_LIMIT_EXCEEDED',
        )
      : new ManualOperationRefusedError(
          'a constraint (a no-match decision or a keep-apart split) keeps these persons apart; delete it first (DELETE /v1/constraints/{id})',
          'CONSTRAINT_KEEPS_APART',
        );

  const survivorId = plan.personOf.get(first)!;
  const absorbedIds = plan.absorbed.map((a) => a.absorbedId);
  await ctx.tx.run('write/manual-audit', {
    records: [
      {
        id: ctx.auditId,
        kind: 'manual_merge',
        at: ctx.now,
        actor: ctx.actor,
        reason: 'manual_merge',
        note: ctx.note,
        personIds: [survivorId, ...absorbedIds],
        survivorId,
        absorbedIds,
        jobId,
      },
    ],
    tag: { jobId, personId: survivorId, actor: ctx.actor, note: ctx.note },
  });
  return { personIds: [survivorId, ...absorbedIds], linksWithdrawn: [], constraintsAdded: [] };
}
