import { IDENTITY_LINKING } from '../consent/consent-rules.js';
import type { GraphTx } from '../graph/graph-client.js';
import { newId } from '../ids.js';
import { DETERMINISTIC_RULE } from './resolution-plan.js';

/**
 * Keeping together what an event saw together when the links at its anchor go.
 *
 * An event links each identifier to its anchor (src/resolver/resolution-plan.ts), where linking
 * every pair once did. Withdrawing or deleting the links at one identifier (a revocation, an
 * erasure, a manual split or revert) left every other pair of the event standing, so the other
 * identifiers stayed one person; at an anchor it would part them. So before the caller partitions
 * its persons again, the identifiers at the other ends of those links that each event saw (and
 * linked) are linked again among themselves, to the first of them by key, with that event's
 * provenance: its key, source, time and confidence, and its purposes less those either end's
 * consent now denies (so scoped views keep what the pairs kept).
 *
 * Only identifiers that stay are linked: not those leaving (the subject of the request), not those
 * whose identity_linking is denied, and only within one side (by default their person; a manual
 * split's or revert's side), so no person ever joins another here. A pair whose link was withdrawn
 * or refused keeps that decision. Idempotent: run again, it adds nothing.
 */

export interface Reanchored {
  /** Ids of the links active now between re-anchored identifiers (new or given more evidence). */
  linkIds: string[];
  /** Their ends, for the caller's partition. */
  pairs: [string, string][];
}

interface LinkEventRow {
  key: string;
  source: string;
  occurredAt: number;
  purposes: string[];
  payload: string | null;
  ends: [key: string, personId: string | null, denied: string[]][];
}

type ReanchorRow = [
  from: string,
  to: string,
  id: string,
  firstSeen: number,
  lastSeen: number,
  sources: string[],
  purposes: string[],
  eventKeys: string[],
  confidence: number,
];

/**
 * Events a re-anchored link lists (LINK_EVIDENCE_KEPT's default; the steps that re-anchor run
 * without the resolver's config): the newest are kept, the full trail is the event log.
 */
const REANCHOR_EVENTS_KEPT = 20;

function confidenceOf(payload: string | null): number {
  if (payload === null) return 1;
  const parsed = JSON.parse(payload) as { confidence?: unknown };
  return typeof parsed.confidence === 'number' ? parsed.confidence : 1;
}

/** The re-anchoring links of the events read by read/link-events, one row per pair. */
export function reanchorRows(
  events: readonly LinkEventRow[],
  leaving: ReadonlySet<string>,
  sideOf: (key: string, personId: string | null) => string | undefined,
): Map<string, ReanchorRow> {
  const rows = new Map<string, ReanchorRow>();
  const inOrder = [...events].sort(
    (a, b) => a.occurredAt - b.occurredAt || (a.key < b.key ? -1 : 1),
  );
  for (const event of inOrder) {
    const sides = new Map<string, { key: string; denied: string[] }[]>();
    for (const [key, personId, denied] of event.ends) {
      if (leaving.has(key) || denied.includes(IDENTITY_LINKING)) continue;
      const side = sideOf(key, personId);
      if (side === undefined) continue;
      const group = sides.get(side) ?? [];
      group.push({ key, denied });
      sides.set(side, group);
    }
    const confidence = confidenceOf(event.payload);
    for (const group of sides.values()) {
      group.sort((a, b) => (a.key < b.key ? -1 : 1));
      const [anchor, ...rest] = group;
      for (const end of rest) {
        const purposes = event.purposes.filter(
          (p) => !anchor!.denied.includes(p) && !end.denied.includes(p),
        );
        const pair = `${anchor!.key}\u0000${end.key}`;
        const row = rows.get(pair);
        if (!row) {
          rows.set(pair, [
            anchor!.key,
            end.key,
            newId('lnk'),
            event.occurredAt,
            event.occurredAt,
            [event.source],
            purposes,
            [event.key],
            confidence,
          ]);
          continue;
        }
        row[3] = Math.min(row[3], event.occurredAt);
        row[4] = Math.max(row[4], event.occurredAt);
        if (!row[5].includes(event.source)) row[5].push(event.source);
        for (const p of purposes) if (!row[6].includes(p)) row[6].push(p);
        row[7].push(event.key);
        row[8] = Math.max(row[8], confidence);
      }
    }
  }
  return rows;
}

/**
 * Re-anchors the events that saw both ends of `linkIds` (links this transaction withdraws, narrows
 * or is about to delete with an identifier; their ends and persons locked). Call it after the
 * links' status changed and before the persons are partitioned again.
 */
export async function reanchorEvents(
  tx: GraphTx,
  input: {
    linkIds: readonly string[];
    /** Element ids of identifiers about to be deleted: their active links count as `linkIds`. */
    deleting?: readonly string[];
    /** Identifiers that leave: never linked again here. */
    leaving: ReadonlySet<string>;
    /** The side an identifier stays on (default: its person); undefined: not linked again. */
    sideOf?: (key: string, personId: string | null) => string | undefined;
    /** Why, recorded on new links (`reanchorReason`): the caller's reason. */
    reason: string;
    now: number;
  },
): Promise<Reanchored> {
  const deleting = input.deleting ?? [];
  if (input.linkIds.length === 0 && deleting.length === 0) return { linkIds: [], pairs: [] };
  const events = await tx.run<LinkEventRow>('read/link-events', {
    linkIds: [...input.linkIds],
    identifiers: [...deleting],
  });
  const rows = reanchorRows(
    events,
    input.leaving,
    input.sideOf ?? ((_key, personId) => personId ?? undefined),
  );
  if (rows.size === 0) return { linkIds: [], pairs: [] };
  const written = await tx.run<{ linkId: string; fromKey: string; toKey: string }>(
    'write/reanchor-links',
    {
      rows: [...rows.values()],
      rule: DETERMINISTIC_RULE,
      reason: input.reason,
      now: input.now,
      kept: REANCHOR_EVENTS_KEPT,
    },
  );
  return {
    linkIds: written.map((w) => w.linkId),
    pairs: written.map((w) => [w.fromKey, w.toKey]),
  };
}
