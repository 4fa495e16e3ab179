import type { GraphTx } from '../graph/graph-client.js';
import { newId } from '../ids.js';
import {
  type ConsentAssertion,
  type ConsentFold,
  foldConsent,
  PRIVACY_REQUEST_SOURCE,
} from './consent-rules.js';

/**
 * Consent state in the graph: `(:ConsentState)-[:OF]->(:Identifier)`, at most one per identifier
 * and purpose (the current assertion), and `(:ConsentChange)-[:OF]->(:Identifier)`, the history:
 * one per assertion that became current as the first for its purpose or flipping `granted`
 * (consent-rules.ts). Both are written only for identifiers the transaction holds the write lock
 * of, so the state read before a write is the state the write replaces: ingestion writes for the
 * identifiers write/claim-batch locked, privacy requests for the identifiers they locked.
 */

/** What an assertion says, as the statements take and answer it: positional fields. */
type AssertionFields = [
  granted: boolean,
  at: number,
  source: string,
  eventKey: string | null,
  requestId: string | null,
];

/** A state as the statements answer it: [purpose, granted, at, source, eventKey, requestId]. */
export type ConsentStateTuple = [purpose: string, ...AssertionFields];

/** One identifier's current states, by purpose. */
export type ConsentStates = ReadonlyMap<string, ConsentAssertion>;

export function parseConsentStates(tuples: readonly ConsentStateTuple[]): ConsentStates {
  const states = new Map<string, ConsentAssertion>();
  for (const [purpose, granted, at, source, eventKey, requestId] of tuples)
    states.set(purpose, { purpose, granted, at, source, eventKey, requestId });
  return states;
}

/*
 * A row of write/record-consent, a positional tuple (write/claim-batch says why): an identifier's
 * new state for one purpose and the history entries that go with it, oldest first.
 */
type ChangeTuple = [id: string, ...AssertionFields];
export type ConsentWriteRow = [
  identifier: string,
  purpose: string,
  granted: boolean,
  at: number,
  source: string,
  eventKey: string | null,
  requestId: string | null,
  changes: ChangeTuple[],
];

/** The write row of a fold that replaced the state; undefined when it changed nothing. */
export function consentWriteRow(
  identifierElementId: string,
  fold: ConsentFold,
): ConsentWriteRow | undefined {
  const { state, changes } = fold;
  if (state === undefined) return undefined;
  return [
    identifierElementId,
    state.purpose,
    state.granted,
    state.at,
    state.source,
    state.eventKey,
    state.requestId,
    changes.map((c) => [newId('cch'), c.granted, c.at, c.source, c.eventKey, c.requestId]),
  ];
}

/** write/record-consent: sets the states and appends their history (identifiers by element id). */
export async function writeConsent(
  tx: GraphTx,
  rows: readonly ConsentWriteRow[],
  now: number,
): Promise<void> {
  if (rows.length === 0) return;
  await tx.run('write/record-consent', { rows, now });
}

/** What {@link recordConsent} changed. Counts and identifier keys only. */
export interface RecordedConsent {
  /** Per purpose: identifiers whose state flipped to the asserted one or had none (a history entry each). */
  changed: Record<string, number>;
  /** Per purpose: identifiers whose state is an event newer than the request: left as they are. */
  outranked: Record<string, number>;
  /** Keys of the identifiers with a change for any purpose, in key order. */
  changedKeys: string[];
  /** Keys given that name no identifier (erased meanwhile): nothing recorded for them. */
  missing: number;
}

/**
 * A privacy request's assertion (a revocation: `granted: false`) for identifiers the caller's
 * transaction has already write-locked (in key order, before any person lock), so no batch can
 * write their states in between. A request outranks every event of its time or older; an event
 * newer than the request keeps its state (counted `outranked`). Idempotent: the same request again
 * changes nothing and records no second history entry.
 */
export async function recordConsent(
  tx: GraphTx,
  input: {
    identifierKeys: readonly string[];
    purposes: readonly string[];
    granted: boolean;
    /** The request's creation time, epoch milliseconds. */
    at: number;
    requestId: string;
    /** When the change is recorded (history `recordedAt`); default now. */
    now?: number;
  },
): Promise<RecordedConsent> {
  const purposes = [...new Set(input.purposes)].sort();
  const keys = [...new Set(input.identifierKeys)].sort();
  const result: RecordedConsent = { changed: {}, outranked: {}, changedKeys: [], missing: 0 };
  for (const purpose of purposes) {
    result.changed[purpose] = 0;
    result.outranked[purpose] = 0;
  }
  if (keys.length === 0 || purposes.length === 0) return result;
  const found = await tx.run<{ key: string; ref: string; states: ConsentStateTuple[] }>(
    'read/consent-states',
    { keys, purposes },
  );
  result.missing = keys.length - found.length;
  const rows: ConsentWriteRow[] = [];
  for (const { key, ref, states } of found) {
    const current = parseConsentStates(states);
    let changedHere = false;
    for (const purpose of purposes) {
      const before = current.get(purpose);
      const fold = foldConsent(before, [
        {
          purpose,
          granted: input.granted,
          at: input.at,
          source: PRIVACY_REQUEST_SOURCE,
          eventKey: null,
          requestId: input.requestId,
        },
      ]);
      const row = consentWriteRow(ref, fold);
      if (row) rows.push(row);
      if (fold.changes.length > 0) {
        result.changed[purpose]! += 1;
        changedHere = true;
      } else if (fold.state === undefined && before?.requestId !== input.requestId)
        result.outranked[purpose]! += 1;
    }
    if (changedHere) result.changedKeys.push(key);
  }
  await writeConsent(tx, rows, input.now ?? Date.now());
  return result;
}
