import { randomUUID } from 'node:crypto';
import {
  type ConsentStates,
  type ConsentStateTuple,
  parseConsentStates,
} from '../consent/consent-state.js';
import type { GraphTx } from '../graph/graph-client.js';
import type { KeyHasher } from './batch-suppression.js';
import type { PreparedEvent } from './prepare-events.js';

/**
 * A batch's first statement, write/claim-batch: claims its events in the event log (an event
 * already there is a duplicate, or this same job's replay after a crash, and is not applied again),
 * creates and locks the claimed events' identifiers in key order and reads their persons and
 * consent states under the lock.
 */

/** What write/claim-batch answers: per event (in batch order) and per locked identifier. */
interface ClaimedBatch {
  claimed: boolean[];
  sameJob: boolean[];
  /**
   * [position in the identifiers sent, element id, current person id or null when created now,
   * consent states]
   */
  identifiers: [number, string, string | null, ConsentStateTuple[]][];
  /** Positions in the identifiers sent of those on the suppression list, read under the lock. */
  suppressed: number[];
}

/*
 * Rows of the batch-sized lists travel as positional tuples, not maps: a map repeats every field
 * name in every row, a large share of the bytes the driver packs. The Cypher names each position
 * in its first WITH.
 */
type EventRow = [
  key: string,
  source: string,
  eventId: string,
  occurredAt: number,
  linking: boolean,
  purposes: readonly string[],
  payload: string,
];
type IdentifierRow = [
  key: string,
  type: string,
  value: string,
  lastSeen: number,
  events: number[],
  hash: string | null,
];

/** The batch as claimed: what this transaction applies, and its identifiers under lock. */
export interface BatchClaim {
  /** Keys of the events this transaction claimed. */
  claimed: Set<string>;
  /** Keys of events this same job logged in an earlier, interrupted run. */
  replayed: Set<string>;
  /** The claimed events, in key order. */
  fresh: PreparedEvent[];
  /** Identifiers of the claimed events, now locked: key -> element id. */
  elementIdOf: Map<string, string>;
  /** Identifiers of the claimed events: key -> current person, null when created now. */
  personOf: Map<string, string | null>;
  /** Consent states of the claimed events' identifiers that have any, read under the lock. */
  consentOf: Map<string, ConsentStates>;
  /**
   * Keys of the claimed events' identifiers found on the suppression list under the lock: the
   * transaction must not go on with them (the resolver runs it again without them).
   */
  suppressed: string[];
}

/**
 * The batch's identifiers, each with the positions of the events carrying it and their latest
 * occurredAt, sorted by key: the order the transaction locks them in.
 */
function batchIdentifiers(
  prepared: readonly PreparedEvent[],
  hash: KeyHasher | undefined,
): IdentifierRow[] {
  const identifiers = new Map<string, IdentifierRow>();
  prepared.forEach((event, position) => {
    for (const id of event.identifiers) {
      const known = identifiers.get(id.key);
      if (!known)
        identifiers.set(id.key, [
          id.key,
          id.type,
          id.value,
          event.occurredAt,
          [position],
          hash ? hash(id.key) : null,
        ]);
      else {
        known[3] = Math.max(known[3], event.occurredAt);
        known[4].push(position);
      }
    }
  });
  return [...identifiers.values()].sort((a, b) => (a[0] < b[0] ? -1 : 1));
}

export async function claimBatch(
  tx: GraphTx,
  input: { jobId: string; at: number; events: readonly PreparedEvent[]; hash?: KeyHasher },
): Promise<BatchClaim> {
  const claim = randomUUID();
  // Events are claimed in key order and identifiers locked in key order, so two batches that share
  // events or identifiers wait for each other instead of deadlocking where they can.
  const prepared = [...input.events].sort((a, b) => (a.key < b.key ? -1 : 1));
  const identifiers = batchIdentifiers(prepared, input.hash);
  const [batch] = await tx.run<ClaimedBatch>('write/claim-batch', {
    jobId: input.jobId,
    claim,
    now: input.at,
    rows: {
      events: prepared.map((e): EventRow => [
        e.key,
        e.source,
        e.eventId,
        e.occurredAt,
        e.linking,
        e.purposes,
        e.payload,
      ]),
      identifiers,
    },
  });
  if (!batch || batch.claimed.length !== prepared.length)
    throw new Error('write/claim-batch answered one flag per event');
  const claimed = new Set(prepared.filter((_, n) => batch.claimed[n]).map((e) => e.key));
  // Logged by this same job in an earlier, interrupted run: applied then, counted as applied now.
  const replayed = new Set(
    prepared.filter((_, n) => !batch.claimed[n] && batch.sameJob[n]).map((e) => e.key),
  );
  const fresh = prepared.filter((e) => claimed.has(e.key));

  // Only the claimed events' identifiers come back (none when nothing was claimed).
  const elementIdOf = new Map<string, string>();
  const personOf = new Map<string, string | null>();
  const consentOf = new Map<string, ConsentStates>();
  for (const [position, elementId, personId, states] of batch.identifiers) {
    const key = identifiers[position]![0];
    elementIdOf.set(key, elementId);
    personOf.set(key, personId);
    if (states.length > 0) consentOf.set(key, parseConsentStates(states));
  }
  const suppressed = batch.suppressed.map((k) => identifiers[k]![0]);
  return { claimed, replayed, fresh, elementIdOf, personOf, consentOf, suppressed };
}
