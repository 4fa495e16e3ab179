import { appendChanges, splitChanges } from '../changes/change-outbox.js';
import {
  AuditRecordNotFoundError,
  ManualOperationInvalidError,
  ManualOperationRefusedError,
} from '../errors.js';
import { linkComponents } from '../resolver/person-split.js';
import { StaleResolutionError } from '../resolver/transaction-retry.js';
import { keepApart } from './manual-constraints.js';
import { oldestKey, type OperationContext, type OperationEffect } from './manual-outcome.js';
import { lockedPersonGraph, reanchorSides, splitOff, withdrawLinks } from './manual-split.js';
import { type RevertLink, revertSides } from './revert-rule.js';

/**
 * A revert of one merge (`POST /v1/audit/{auditId}/revert`), whichever rule, review decision or
 * manual merge made it. The person the absorbed person's id resolves to now (the current person)
 * is split by {@link revertSides}: the identifiers the absorbed person brought (WAS_IN ending at
 * the merge's time) against those the survivor held before it, every later identifier with the
 * side its strongest links tie it to; links across the sides are withdrawn (`withdrawnReason:
 * 'reverted'`; an event's identifiers on one side that such a link held at its anchor are linked
 * again there, src/resolver/event-anchors.ts). The absorbed person is active again under its old id with the part of its side
 * that holds that side's oldest identifier; persons merged into it before point at it again; the
 * current person keeps its id with the part of the survivor side holding its oldest identifier;
 * any other part (a side that the withdrawn links held together) becomes a new person. Merges made
 * after the reverted one stay. A keep-apart constraint between the two sides' oldest identifiers
 * keeps the next event from merging them again (deletable). The merge's record is marked reverted:
 * a second revert answers 409.
 */

export async function revertInTx(
  ctx: OperationContext,
  input: { mergeAuditId: string },
): Promise<OperationEffect> {
  const { tx } = ctx;
  const merge = await lockMerge(ctx, input.mergeAuditId);
  const absorbedId = merge.absorbedId;
  const [current] = await tx.run<{ personId: string }>('read/manual-persons', {
    personIds: [absorbedId],
  });
  if (!current || current.personId === absorbedId)
    throw notRevertible('the absorbed person no longer exists (erased)');
  const personId = current.personId;
  await tx.run('write/lock-persons-by-id', { personIds: [absorbedId, personId].sort() });
  const graph = await lockedPersonGraph(tx, personId);
  const [seeds] = await tx.run<{
    status: string;
    mergedInto: string | null;
    seeds: [string, boolean, boolean][];
    earlier: string[];
  }>('read/revert-seeds', {
    personId,
    absorbedId,
    survivorId: merge.survivorId,
    at: merge.at,
  });
  if (seeds?.status !== 'merged' || seeds.mergedInto !== personId) throw new StaleResolutionError();
  const absorbed = new Set(seeds.seeds.filter(([, brought]) => brought).map(([key]) => key));
  const survivor = new Set(
    seeds.seeds.filter(([, brought, stayed]) => stayed && !brought).map(([key]) => key),
  );
  if (absorbed.size === 0)
    throw notRevertible(
      'none of the identifiers the absorbed person brought is left in the person',
    );
  if (survivor.size === 0)
    throw notRevertible('none of the identifiers the survivor held before the merge is left');

  const keys = graph.identifiers.map(([key]) => key);
  const links: RevertLink[] = graph.links.map(([id, fromKey, toKey, confidence, createdAt]) => ({
    id,
    fromKey,
    toKey,
    confidence,
    createdAt,
  }));
  const { sideOf, withdrawn } = revertSides(keys, links, { absorbed, survivor });
  const withdrawnIds = new Set(withdrawn.map((l) => l.id));
  const withdrawnLinks = graph.links.filter(([id]) => withdrawnIds.has(id));
  await withdrawLinks(ctx, withdrawnLinks, 'reverted');
  const reanchored = await reanchorSides(ctx, personId, withdrawnLinks, (key) => sideOf.get(key));

  const createdAt = new Map(graph.identifiers.map(([key, , at]) => [key, at]));
  const elementIdOf = new Map(graph.identifiers.map(([key, id]) => [key, id]));
  const oldestSurvivor = oldestKey(
    keys.filter((k) => sideOf.get(k) === 'survivor'),
    createdAt,
  );
  const oldestAbsorbed = oldestKey(
    keys.filter((k) => sideOf.get(k) === 'absorbed'),
    createdAt,
  );
  const parts = linkComponents(
    keys,
    [
      ...links.filter((l) => !withdrawnIds.has(l.id)).map((l) => [l.fromKey, l.toKey] as const),
      ...reanchored,
    ],
    oldestSurvivor,
  );
  const restored = parts.find((p) => p.includes(oldestAbsorbed))!;
  const extra = parts.slice(1).filter((p) => p !== restored);

  const [moved] = await tx.run<{ moved: number; repointed: number }>('write/revert-merge', {
    absorbedId,
    personId,
    now: ctx.now,
    moved: restored.map((k) => elementIdOf.get(k)!),
    earlier: seeds.earlier,
  });
  if (moved?.moved !== restored.length) throw new StaleResolutionError();
  const linkIds = withdrawn.map((l) => l.id).sort();
  const created = await splitOff(ctx, {
    personId,
    parts: extra,
    elementIdOf,
    linkIds,
    reason: 'reverted',
    alsoCheck: [absorbedId],
  });

  const personOfPart = new Map<string[], string>([
    [parts[0]!, personId],
    [restored, absorbedId],
    ...extra.map((p, i) => [p, created[i]!] as [string[], string]),
  ]);
  const sides = parts.map((p) => ({
    key: oldestKey(p, createdAt),
    personId: personOfPart.get(p)!,
    side: sideOf.get(p[0]!)!,
  }));
  const constraintsAdded = await keepApart(
    ctx,
    sides.filter((s) => s.side === 'absorbed'),
    sides.filter((s) => s.side === 'survivor'),
  );
  await tx.run('write/mark-reverted', {
    auditId: input.mergeAuditId,
    revertId: ctx.auditId,
    now: ctx.now,
  });
  const personIds = [personId, absorbedId, ...created];
  await tx.run('write/manual-audit', {
    records: [
      {
        id: ctx.auditId,
        kind: 'merge_reverted',
        at: ctx.now,
        actor: ctx.actor,
        reason: 'revert',
        note: ctx.note,
        personIds,
        survivorId: personId,
        restoredId: absorbedId,
        mergeAuditId: input.mergeAuditId,
        linkIds,
        constraintIds: constraintsAdded.map((c) => c.id),
        count: restored.length,
      },
    ],
    tag: null,
  });
  await appendChanges(tx, [
    { type: 'person.restored', at: ctx.now, personId: absorbedId, fromPersonId: personId },
    {
      type: 'identifier.moved',
      at: ctx.now,
      fromPersonId: personId,
      toPersonId: absorbedId,
      count: restored.length,
    },
    ...splitChanges(
      personId,
      extra.map((p, i) => ({ personId: created[i]!, identifiers: p.length })),
      ctx.now,
    ),
  ]);
  return { personIds, linksWithdrawn: linkIds, constraintsAdded };
}

/** Locks and reads the merge's record: it must be a merge, not reverted yet. */
async function lockMerge(
  { tx }: OperationContext,
  mergeAuditId: string,
): Promise<{ at: number; survivorId: string; absorbedId: string }> {
  const [merge] = await tx.run<{
    kind: string;
    at: number;
    survivorId: string | null;
    absorbedIds: string[] | null;
    revertedBy: string | null;
  }>('write/lock-audit-record', { auditId: mergeAuditId });
  if (!merge) throw new AuditRecordNotFoundError();
  if (merge.kind !== 'merge')
    throw new ManualOperationInvalidError(
      `only a merge can be reverted; this record is a ${merge.kind}`,
      'NOT_A_MERGE',
    );
  if (merge.revertedBy !== null)
    throw new ManualOperationRefusedError('this merge was reverted already', 'ALREADY_REVERTED');
  const absorbedId = merge.absorbedIds?.[0];
  if (absorbedId === undefined || merge.survivorId === null)
    throw new ManualOperationInvalidError('the merge record names no persons', 'NOT_A_MERGE');
  return { at: merge.at, survivorId: merge.survivorId, absorbedId };
}

const notRevertible = (why: string) =>
  new ManualOperationRefusedError(`the merge cannot be reverted: ${why}`, 'MERGE_NOT_REVERTIBLE');
