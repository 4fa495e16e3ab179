import type { IdentityEvent } from '../events/event-schema.js';
import { scrubEvents } from '../resolver/batch-suppression.js';
import { reanchorEvents } from '../resolver/event-anchors.js';
import { settlePersons } from './erase-persons.js';
import type { PrivacyStep, StepContext } from './privacy-step.js';

/**
 * The graph steps of an `erase` request (docs/privacy.md, Erase):
 *
 * - `suppress`: the subject's identifiers go on the suppression list in one transaction with the
 *   step's mark (write/erase-suppress); from its commit on, every batch drops them, so nothing
 *   re-creates what the next step deletes.
 * - `delete_graph`: a page of the subject's identifiers per transaction, locked in the resolver's
 *   order (identifiers by key, then their persons by id): their events (deleted, or rewritten
 *   without the subject when they name someone else), records and reviews, consent, links,
 *   access exports and the identifiers themselves (write/erase-page), after the other identifiers of
 *   the events an erased identifier anchored are linked to a new anchor
 *   (src/resolver/event-anchors.ts); then the persons that held
 *   them are partitioned again or deleted (erase-persons.ts). Each page commits its report,
 *   audit record and feed entries; a page run again after a crash finds nothing left to delete.
 */

export const ERASE_PAGE_SIZE = 500;

export const suppressStep: PrivacyStep = {
  name: 'suppress',
  async run(ctx) {
    const { keys, hashes } = ctx.subject;
    await ctx.write(
      'privacy-erase-suppress',
      async ({ tx, report, audit }) => {
        const [row] = await tx.run<{ added: number }>('write/erase-suppress', {
          keys,
          hashes,
          now: ctx.now(),
          requestId: ctx.request.id,
        });
        const added = row?.added ?? 0;
        report.count('suppressionsAdded', added);
        if (added > 0)
          await audit([{ kind: 'suppression_added', count: added, reason: 'erasure' }]);
      },
      { done: true },
    );
  },
};

interface PageCounts {
  eventsScrubbed: number;
  eventsErased: number;
  recordsErased: number;
  reviewsErased: number;
  identifiersErased: number;
}

/** One page: lock, delete, settle the persons, report and audit, in one transaction. */
async function erasePage(
  ctx: StepContext,
  page: { keys: readonly string[]; hashes: readonly string[] },
  subject: ReadonlySet<string>,
  done: boolean,
): Promise<void> {
  await ctx.write(
    'privacy-erase-page',
    async ({ tx, report, audit }) => {
      const locked = await tx.run<{ elementId: string; personId: string | null }>(
        'write/lock-identifiers',
        { keys: page.keys },
      );
      const personIds = [
        ...new Set(locked.flatMap((r) => (r.personId === null ? [] : [r.personId]))),
      ].sort();
      if (personIds.length > 0) {
        await tx.run('write/lock-persons-by-id', { personIds });
        // Operators' notes on manual operations may name the person: they go with its data.
        await tx.run('write/erase-audit-notes', { personIds });
      }
      const identifiers = locked.map((r) => r.elementId);
      const events = await tx.run<{ id: string; payload: string }>('read/erase-page-events', {
        identifiers,
      });
      const rewrite: [string, string][] = [];
      const remove: string[] = [];
      for (const { id, payload } of events) {
        const [kept] = scrubEvents([JSON.parse(payload) as IdentityEvent], ctx.registry, subject);
        if (kept) rewrite.push([id, JSON.stringify(kept)]);
        else remove.push(id);
      }
      // The events the erased identifiers anchored keep their other identifiers together.
      await reanchorEvents(tx, {
        linkIds: [],
        deleting: identifiers,
        leaving: subject,
        reason: 'erasure',
        now: ctx.now(),
      });
      const [counts] = await tx.run<PageCounts>('write/erase-page', {
        identifiers,
        rewrite,
        delete: remove,
        hashes: page.hashes,
      });
      const settled = await settlePersons(tx, {
        personIds,
        subject,
        request: ctx.request,
        now: ctx.now(),
      });
      for (const field of [
        'identifiersErased',
        'eventsErased',
        'eventsScrubbed',
        'recordsErased',
        'reviewsErased',
      ] as const)
        report.count(field, counts?.[field] ?? 0);
      report.ids('personsErased', settled.erased);
      for (const split of settled.splits) report.personSplit(split.personId, split.parts);
      if ((counts?.identifiersErased ?? 0) > 0)
        await audit([
          {
            kind: 'erasure',
            reason: 'erasure',
            personIds: [...personIds, ...settled.splits.flatMap((s) => s.parts)],
            count: counts!.identifiersErased,
          },
        ]);
    },
    { done },
  );
}

export const deleteGraphStep: PrivacyStep = {
  name: 'delete_graph',
  async run(ctx) {
    const { keys, hashes } = ctx.subject;
    const subject = new Set(keys);
    // At least one page, so the step reports its counts (0) and marks itself done with it.
    for (let i = 0; i === 0 || i < keys.length; i += ERASE_PAGE_SIZE) {
      const end = i + ERASE_PAGE_SIZE;
      await erasePage(
        ctx,
        { keys: keys.slice(i, end), hashes: hashes.slice(i, end) },
        subject,
        end >= keys.length,
      );
    }
  },
};
