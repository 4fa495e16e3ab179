import type { ChangeEntry } from '../changes/change-contract.js';
import { appendChanges, splitChanges } from '../changes/change-outbox.js';
import { IDENTITY_LINKING } from '../consent/consent-rules.js';
import { recordConsent } from '../consent/consent-state.js';
import type { GraphTx } from '../graph/graph-client.js';
import { reanchorEvents } from '../resolver/event-anchors.js';
import { splitIfDisconnected } from '../resolver/person-split.js';
import { StaleResolutionError } from '../resolver/transaction-retry.js';
import type { PrivacyAuditEntry, PrivacyStep, StepContext, StepWrite } from './privacy-step.js';
import { SUBJECT_PAGE_SIZE } from './resolve-subject.js';

/**
 * The steps of a revoke request, after `resolve_subject`:
 *
 * - `record_denials`: the subject's identifiers are denied the revoked purposes as of the request's
 *   creation (src/consent/consent-state.ts: a request outranks every event of its time or older), so
 *   from its commit on a batch that locks one of them reads the denial and, for identity_linking,
 *   links nothing through it; a `consent.changed` feed entry and a `consent_revoked` audit record
 *   per person whose identifiers changed.
 * - `withdraw_links`: every link incident to a subject identifier loses the revoked purposes (so
 *   scoped views `?purpose=` stop using it); revoking identity_linking withdraws every such active
 *   link (audited `link_withdrawn`, reason `consent_revoked`: one record per person, page and
 *   purposes lost, naming its links); the other identifiers of each event such a link held at its
 *   anchor are linked again to a new one (src/resolver/event-anchors.ts), and each person it held together is
 *   partitioned again by its remaining active links with the resolver's split rule (the part with
 *   the oldest identifier keeps the id; audited `split`, feed `person.split` and
 *   `identifier.moved`).
 *
 * Both run in pages of the subject's keys, one write transaction each, the last one marking the
 * step done; a subject of one page is denied and withdrawn in one transaction marking both. Each page locks as the resolver does, identifiers by key and then persons by id, so a
 * concurrent batch either commits first (and its links are withdrawn here) or waits and then reads
 * the denial. A page changes only what is not yet changed, so a page run again after a crash
 * changes and reports nothing twice.
 */

/**
 * Keys per page: a page as `resolve_subject` reads it, so a subject it reads in one page is revoked
 * in one transaction. An ingest batch locks up to a few thousand identifiers in one transaction too.
 */
export const REVOKE_PAGE_SIZE = SUBJECT_PAGE_SIZE;

/** A page whose split crossed a link a batch added meanwhile is run again, this many times. */
const MAX_STALE_ATTEMPTS = 10;

/** Write-locks a page of keys (sorted) and answers each held identifier's person. */
async function lockIdentifiers(
  tx: GraphTx,
  keys: readonly string[],
): Promise<Map<string, string | null>> {
  const rows = await tx.run<{ key: string; personId: string | null }>('write/lock-identifiers', {
    keys,
  });
  return new Map(rows.map((r) => [r.key, r.personId]));
}

/**
 * Runs `work` for each page of the subject's keys (one page when there are none); the last page
 * marks the step done, and the steps in `alsoDone` with it.
 */
async function inPages(
  ctx: StepContext,
  name: string,
  pageSize: number,
  work: (write: StepWrite, page: readonly string[]) => Promise<void>,
  alsoDone: readonly string[] = [],
): Promise<void> {
  const { keys } = ctx.subject;
  const pages = Math.max(1, Math.ceil(keys.length / pageSize));
  for (let i = 0; i < pages; i++) {
    const page = keys.slice(i * pageSize, (i + 1) * pageSize);
    const last = i === pages - 1;
    for (let attempt = 1; ; attempt++) {
      try {
        await ctx.write(name, (write) => work(write, page), { done: last, alsoDone });
        break;
      } catch (error) {
        if (!(error instanceof StaleResolutionError) || attempt >= MAX_STALE_ATTEMPTS) throw error;
        ctx.logger.debug({ attempt }, 'revoke page found the graph moved; running it again');
      }
    }
  }
}

const sortedPurposes = (ctx: StepContext) => [...new Set(ctx.request.purposes)].sort();

const RECORD_DENIALS = 'record_denials';
const WITHDRAW_LINKS = 'withdraw_links';

/**
 * `record_denials`. A subject of one page is denied and its links withdrawn in one transaction,
 * which marks both steps done: the same changes in the same order as the two steps make, under
 * one taking of the same locks. A subject of several pages is denied in full before any link is
 * withdrawn.
 */
function recordDenialsStep(pageSize: number): PrivacyStep {
  return {
    name: RECORD_DENIALS,
    run: (ctx) => {
      const onePage = ctx.subject.keys.length <= pageSize;
      return inPages(
        ctx,
        onePage ? 'privacy-revoke' : 'privacy-record-denials',
        pageSize,
        async (write, page) => {
          const personOf = await lockIdentifiers(write.tx, page);
          const denied = await denyPage(ctx, write.tx, page, personOf);
          const withdrawn = onePage ? await withdrawPage(ctx, write, page, personOf) : undefined;
          await record(ctx, write, denied, withdrawn);
        },
        onePage ? [WITHDRAW_LINKS] : [],
      );
    },
  };
}

/** What a page changed, for the audit trail and the change feed. */
interface PageRecords {
  entries: PrivacyAuditEntry[];
  changes: ChangeEntry[];
}

/**
 * Writes the audit records and the feed entries of a page's parts, in order, once the page took its
 * last lock: the feed's batch is appended after them (src/changes/change-outbox.ts).
 */
async function record(
  ctx: StepContext,
  { tx, audit }: StepWrite,
  ...parts: (PageRecords | undefined)[]
): Promise<void> {
  await audit(parts.flatMap((part) => part?.entries ?? []));
  await appendChanges(
    tx,
    parts.flatMap((part) => part?.changes ?? []),
    { requestId: ctx.request.id },
  );
}

/** One page of `record_denials`, its identifiers locked (`personOf`: their persons). */
async function denyPage(
  ctx: StepContext,
  tx: GraphTx,
  page: readonly string[],
  personOf: ReadonlyMap<string, string | null>,
): Promise<PageRecords> {
  const purposes = sortedPurposes(ctx);
  const recorded = await recordConsent(tx, {
    identifierKeys: page,
    purposes,
    granted: false,
    at: ctx.request.createdAt,
    requestId: ctx.request.id,
    now: ctx.now(),
  });
  const changedPerPerson = new Map<string, number>();
  for (const key of recorded.changedKeys) {
    const personId = personOf.get(key);
    if (personId) changedPerPerson.set(personId, (changedPerPerson.get(personId) ?? 0) + 1);
  }
  const persons = [...changedPerPerson].sort(([a], [b]) => (a < b ? -1 : 1));
  const at = ctx.now();
  return {
    entries: persons.map(([personId, count]) => ({
      kind: 'consent_revoked',
      personIds: [personId],
      count,
      purposes,
      reason: 'consent_revoked',
    })),
    changes: persons.map(([personId, identifiers]) => ({
      type: 'consent.changed',
      at,
      personId,
      purposes,
      granted: false,
      identifiers,
    })),
  };
}

interface RevokedLink {
  linkId: string;
  removed: string[];
  withdrawn: boolean;
  personId: string | null;
}

/** Appends `value` to the list under `key`. */
function push<T>(map: Map<string, T[]>, key: string, value: T): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

const byKey = <T>(map: Map<string, T>) => [...map].sort(([a], [b]) => (a < b ? -1 : 1));

/**
 * One page of `withdraw_links`, its identifiers locked (`personOf`: their persons): purposes
 * removed, links withdrawn, persons split.
 */
async function withdrawPage(
  ctx: StepContext,
  { tx, report }: StepWrite,
  page: readonly string[],
  personOf: ReadonlyMap<string, string | null>,
): Promise<PageRecords> {
  const purposes = sortedPurposes(ctx);
  const personIds = [...new Set([...personOf.values()].filter((p) => p !== null))].sort();
  await tx.run('write/lock-persons', {
    rows: { personIds, limitedTypes: [], checkIdentifiers: [] },
  });
  const now = ctx.now();
  const links = await tx.run<RevokedLink>('write/revoke-link-purposes', {
    keys: page,
    purposes,
    withdraw: purposes.includes(IDENTITY_LINKING),
    now,
  });
  // The events these links held at their anchor keep their other identifiers together.
  await reanchorEvents(tx, {
    linkIds: links.map((l) => l.linkId),
    leaving: new Set(page),
    reason: 'consent_revoked',
    now,
  });
  const withdrawnIn = new Map<string, string[]>();
  const narrowedIn = new Map<string, string[]>();
  // Withdrawn links by their person and the purposes they lost (JSON of both): one record each.
  const withdrawnBy = new Map<string, string[]>();
  for (const link of links) {
    if (link.removed.length > 0) report.purposesRemoved(link.linkId, link.removed);
    if (link.withdrawn) {
      report.ids('linksWithdrawn', [link.linkId]);
      push(withdrawnBy, JSON.stringify([link.personId, link.removed]), link.linkId);
      if (link.personId) push(withdrawnIn, link.personId, link.linkId);
    } else if (link.personId) push(narrowedIn, link.personId, link.linkId);
  }
  const entries: PrivacyAuditEntry[] = byKey(withdrawnBy).map(([group, linkIds]) => {
    const [personId, removed] = JSON.parse(group) as [string | null, string[]];
    return {
      kind: 'link_withdrawn',
      personIds: personId ? [personId] : [],
      linkIds,
      count: linkIds.length,
      reason: 'consent_revoked',
      purposes: removed,
    };
  });
  for (const [personId, linkIds] of byKey(narrowedIn))
    entries.push({
      kind: 'consent_revoked',
      personIds: [personId],
      linkIds,
      purposes,
      reason: 'consent_revoked',
    });
  const changes: ChangeEntry[] = [];
  const split: string[] = [];
  for (const [personId, linkIds] of byKey(withdrawnIn)) {
    const parts = await splitIfDisconnected(tx, {
      personId,
      linkIds,
      reason: 'consent_revoked',
      now,
      request: {
        requestId: ctx.request.id,
        requestType: ctx.request.type,
        actor: ctx.request.actor,
      },
    });
    if (parts.length === 0) continue;
    report.personSplit(
      personId,
      parts.map((p) => p.personId),
    );
    split.push(personId, ...parts.map((p) => p.personId));
    changes.push(
      ...splitChanges(
        personId,
        parts.map((p) => ({ personId: p.personId, identifiers: p.identifierKeys.length })),
        now,
      ),
    );
  }
  if (split.length > 0) {
    // The split was planned from links read under the persons' locks; a batch may have linked two
    // identifiers of one person without taking its lock. Moving the identifiers took their locks,
    // so a link that now crosses the new persons is current: the page starts again.
    const [check] = await tx.run<{ crossing: number }>('read/split-crossings', {
      personIds: split,
    });
    if ((check?.crossing ?? 0) > 0) throw new StaleResolutionError();
  }
  return { entries, changes };
}

function withdrawLinksStep(pageSize: number): PrivacyStep {
  return {
    name: WITHDRAW_LINKS,
    run: (ctx) =>
      inPages(ctx, 'privacy-withdraw-links', pageSize, async (write, page) => {
        const personOf = await lockIdentifiers(write.tx, page);
        await record(ctx, write, await withdrawPage(ctx, write, page, personOf));
      }),
  };
}

/** The revoke request's steps; `pageSize` keys per transaction. */
export function revokeSteps(pageSize = REVOKE_PAGE_SIZE): readonly PrivacyStep[] {
  return [recordDenialsStep(pageSize), withdrawLinksStep(pageSize)];
}
