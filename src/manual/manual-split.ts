import { splitChanges, appendChanges } from '../changes/change-outbox.js';
import { ManualOperationInvalidError, PersonNotFoundError, ValidationError } from '../errors.js';
import type { GraphTx } from '../graph/graph-client.js';
import { newId } from '../ids.js';
import { reanchorEvents } from '../resolver/event-anchors.js';
import type { IdentifierRegistry } from '../resolver/identifier-types.js';
import { linkComponents } from '../resolver/person-split.js';
import { StaleResolutionError } from '../resolver/transaction-retry.js';
import { keepApart } from './manual-constraints.js';
import { oldestKey, type OperationContext, type OperationEffect } from './manual-outcome.js';

/**
 * A manual split (`POST /v1/persons/{id}/split`): the named identifiers leave the person. Under the
 * person's lock, every active link between a named identifier and one that stays is withdrawn
 * (`withdrawnReason: 'manual_split'`), and the person is partitioned by its remaining active links,
 * as any split is (src/resolver/person-split.ts), once the identifiers of an event that such a
 * link held at its anchor are linked again on each side (src/resolver/event-anchors.ts), with one difference: the id stays with the part
 * holding the oldest identifier that was NOT named, so the named identifiers always leave. Persons
 * are the connected components of their active links, so named identifiers that are not linked
 * among themselves (other than through the ones that stay) become several new persons, one per
 * component; and where the named identifiers held the rest together, the rest falls into parts
 * too. With `keepApart`, a keep-apart constraint between the oldest identifier of every part that
 * left and of every part that stayed keeps the resolver from joining them again.
 */

export interface SplitInput {
  personId: string;
  identifiers: readonly { type: string; value: string }[];
  keepApart: boolean;
}

/** One person as read/manual-person-graph reads it under its lock. */
export interface PersonGraph {
  status: string;
  identifiers: [key: string, elementId: string, createdAt: number, type: string][];
  links: [id: string, fromKey: string, toKey: string, confidence: number, createdAt: number][];
}

/** The active person an id answers for (a merged id: its survivor), or PersonNotFoundError. */
export async function activePersonOf(tx: GraphTx, personId: string): Promise<string> {
  const [row] = await tx.run<{ personId: string }>('read/manual-persons', {
    personIds: [personId],
  });
  if (!row) throw new PersonNotFoundError();
  return row.personId;
}

/** Reads a locked person's graph; a person no longer active moved under the lock: start again. */
export async function lockedPersonGraph(tx: GraphTx, personId: string): Promise<PersonGraph> {
  const [graph] = await tx.run<PersonGraph>('read/manual-person-graph', { personId });
  if (graph?.status !== 'active') throw new StaleResolutionError();
  return graph;
}

/** Withdraws links (by their ends) for a manual operation; all must still be active. */
export async function withdrawLinks(
  ctx: OperationContext,
  links: readonly PersonGraph['links'][number][],
  reason: 'manual_split' | 'reverted',
): Promise<void> {
  if (links.length === 0) return;
  const [answer] = await ctx.tx.run<{ withdrawn: number }>('write/withdraw-manual-links', {
    rows: links.map(([, from, to]) => [from, to]),
    reason,
    now: ctx.now,
  });
  if (answer?.withdrawn !== links.length) throw new StaleResolutionError();
}

/**
 * After a manual operation withdrew `links` across sides of a locked person: the identifiers of
 * each event one of them held at its anchor that stay on one side are linked to a new anchor
 * (src/resolver/event-anchors.ts), so an event's identifiers on one side stay together. Returns
 * the pairs now linked.
 */
export async function reanchorSides(
  ctx: OperationContext,
  personId: string,
  links: readonly PersonGraph['links'][number][],
  sideOf: (key: string) => string | undefined,
): Promise<[string, string][]> {
  const { pairs } = await reanchorEvents(ctx.tx, {
    linkIds: links.map(([id]) => id),
    leaving: new Set(),
    sideOf: (key, person) => (person === personId ? sideOf(key) : undefined),
    reason: 'manual',
    now: ctx.now,
  });
  return pairs;
}

/**
 * Splits parts off a locked person (write/split-person, audited `split` with the actor), then
 * checks that no active link crosses to them (a batch may link two identifiers of one person
 * without its lock): a crossing link means the graph moved, and the transaction starts again.
 */
export async function splitOff(
  ctx: OperationContext,
  input: {
    personId: string;
    parts: readonly string[][];
    elementIdOf: ReadonlyMap<string, string>;
    linkIds: readonly string[];
    reason: 'manual_split' | 'reverted';
    alsoCheck?: readonly string[];
  },
): Promise<string[]> {
  const created = input.parts.map(() => newId('per'));
  if (input.parts.length > 0)
    await ctx.tx.run('write/split-person', {
      reason: input.reason,
      now: ctx.now,
      splits: [
        {
          personId: input.personId,
          linkIds: [...input.linkIds],
          auditId: newId('aud'),
          actor: ctx.actor,
          parts: input.parts.map((keys, i) => [
            created[i]!,
            keys.map((k) => input.elementIdOf.get(k)!),
          ]),
        },
      ],
    });
  const [check] = await ctx.tx.run<{ crossing: number }>('read/split-crossings', {
    personIds: [input.personId, ...created, ...(input.alsoCheck ?? [])],
  });
  if ((check?.crossing ?? 0) > 0) throw new StaleResolutionError();
  return created;
}

export async function splitInTx(
  ctx: OperationContext,
  registry: Pick<IdentifierRegistry, 'normalize'>,
  input: SplitInput,
): Promise<OperationEffect> {
  const moved = new Set<string>();
  const invalid: { path: string; message: string }[] = [];
  input.identifiers.forEach(({ type, value }, i) => {
    const n = registry.normalize(type, value);
    if (n.ok) moved.add(n.key);
    else invalid.push({ path: `$.body.identifiers[${i}]`, message: n.reason });
  });
  if (invalid.length > 0) throw new ValidationError('invalid identifiers', invalid);

  const personId = await activePersonOf(ctx.tx, input.personId);
  await ctx.tx.run('write/lock-persons-by-id', { personIds: [personId] });
  const graph = await lockedPersonGraph(ctx.tx, personId);
  const keys = graph.identifiers.map(([key]) => key);
  const held = new Set(keys);
  if ([...moved].some((k) => !held.has(k)))
    throw new ManualOperationInvalidError(
      'an identifier named is not one of the person’s',
      'IDENTIFIER_NOT_IN_PERSON',
    );
  if (moved.size === held.size)
    throw new ManualOperationInvalidError(
      'the split would move every identifier of the person',
      'SPLIT_WOULD_EMPTY',
    );

  const crossing = graph.links.filter(([, a, b]) => moved.has(a) !== moved.has(b));
  await withdrawLinks(ctx, crossing, 'manual_split');
  const crossingIds = new Set(crossing.map(([id]) => id));
  const reanchored = await reanchorSides(ctx, personId, crossing, (key) =>
    moved.has(key) ? 'moved' : 'stays',
  );
  const createdAt = new Map(graph.identifiers.map(([key, , at]) => [key, at]));
  const keep = oldestKey(
    keys.filter((k) => !moved.has(k)),
    createdAt,
  );
  const parts = linkComponents(
    keys,
    [
      ...graph.links.filter(([id]) => !crossingIds.has(id)).map(([, a, b]) => [a, b] as const),
      ...reanchored,
    ],
    keep,
  );
  const others = parts.slice(1);
  const linkIds = crossing.map(([id]) => id);
  const created = await splitOff(ctx, {
    personId,
    parts: others,
    elementIdOf: new Map(graph.identifiers.map(([key, id]) => [key, id])),
    linkIds,
    reason: 'manual_split',
  });

  const sides = parts.map((keys, i) => ({
    key: oldestKey(keys, createdAt),
    personId: i === 0 ? personId : created[i - 1]!,
    left: moved.has(keys[0]!),
  }));
  const constraintsAdded = input.keepApart
    ? await keepApart(
        ctx,
        sides.filter((s) => s.left),
        sides.filter((s) => !s.left),
      )
    : [];

  await ctx.tx.run('write/manual-audit', {
    records: [
      {
        id: ctx.auditId,
        kind: 'manual_split',
        at: ctx.now,
        actor: ctx.actor,
        reason: 'manual_split',
        note: ctx.note,
        personIds: [personId, ...created],
        linkIds,
        constraintIds: constraintsAdded.map((c) => c.id),
        count: moved.size,
      },
    ],
    tag: null,
  });
  await appendChanges(
    ctx.tx,
    splitChanges(
      personId,
      others.map((keys, i) => ({ personId: created[i]!, identifiers: keys.length })),
      ctx.now,
    ),
  );
  return { personIds: [personId, ...created], linksWithdrawn: linkIds, constraintsAdded };
}
