import {
  type ConsentAssertion,
  deniesLinking,
  foldConsent,
  IDENTITY_LINKING,
} from '../consent/consent-rules.js';
import {
  type ConsentStates,
  type ConsentWriteRow,
  consentWriteRow,
} from '../consent/consent-state.js';
import { compareEvents } from './plan-evidence.js';
import type { PreparedEvent } from './prepare-events.js';

/**
 * A batch's consent: what its events' `consent.purposes` change in its identifiers' consent states
 * (src/consent/), and which identifiers it may link, from the states write/claim-batch read under
 * the identifiers' locks.
 *
 * Events apply in the plan's order (occurredAt, key). Each event first asserts its consent for
 * each of its identifiers (newest wins: consent-rules.ts), then links those of its identifiers
 * whose identity_linking state is not denied. So an identifier denied by an older event or a
 * revocation links nothing until an event newer than the denial grants identity_linking again,
 * and that event links it.
 */

export interface BatchConsent {
  /** Per event key, the identifiers it may not link (only events with some). */
  unlinked: Map<string, string[]>;
  /** Identifiers whose identity_linking is denied once the batch's assertions are applied. */
  denied: Set<string>;
  /** write/record-consent's rows: the states the batch changes, with their history. */
  rows: ConsentWriteRow[];
}

/** One identifier's states as the batch goes, and the folds of those the batch asserted. */
interface Running {
  states: Map<string, ConsentAssertion>;
  folds: Map<string, { changes: ConsentAssertion[] }>;
}

export function batchConsent(
  fresh: readonly PreparedEvent[],
  consentOf: ReadonlyMap<string, ConsentStates>,
  elementIdOf: ReadonlyMap<string, string>,
): BatchConsent {
  const result: BatchConsent = { unlinked: new Map(), denied: new Set(), rows: [] };
  // The common case: no event asserts consent and no identifier has a state.
  if (consentOf.size === 0 && !fresh.some((e) => e.consent !== undefined)) return result;

  const running = new Map<string, Running>();
  const runningOf = (key: string): Running => {
    let r = running.get(key);
    if (!r) {
      r = { states: new Map(consentOf.get(key) ?? []), folds: new Map() };
      running.set(key, r);
    }
    return r;
  };
  const linking = (key: string) =>
    (running.get(key)?.states ?? consentOf.get(key))?.get(IDENTITY_LINKING);
  for (const event of [...fresh].sort(compareEvents)) {
    if (event.consent !== undefined) assertEventConsent(event, event.consent, runningOf);
    if (!event.linking) continue;
    const unlinked = event.identifiers
      .filter((i) => deniesLinking(linking(i.key)))
      .map((i) => i.key);
    if (unlinked.length > 0) result.unlinked.set(event.key, unlinked);
  }

  for (const key of new Set([...consentOf.keys(), ...running.keys()]))
    if (deniesLinking(linking(key))) result.denied.add(key);
  for (const [key, { states, folds }] of running) {
    for (const [purpose, { changes }] of folds) {
      const row = consentWriteRow(elementIdOf.get(key)!, { state: states.get(purpose), changes });
      if (row) result.rows.push(row);
    }
  }
  return result;
}

function assertEventConsent(
  event: PreparedEvent,
  consent: Readonly<Record<string, boolean>>,
  runningOf: (key: string) => Running,
): void {
  const purposes = Object.keys(consent).sort();
  for (const { key } of event.identifiers) {
    const r = runningOf(key);
    for (const purpose of purposes) {
      const assertion: ConsentAssertion = {
        purpose,
        granted: consent[purpose]!,
        at: event.occurredAt,
        source: event.source,
        eventKey: event.key,
        requestId: null,
      };
      const fold = foldConsent(r.states.get(purpose), [assertion]);
      if (fold.state === undefined) continue;
      r.states.set(purpose, fold.state);
      const folded = r.folds.get(purpose);
      if (folded) folded.changes.push(...fold.changes);
      else r.folds.set(purpose, { changes: fold.changes });
    }
  }
}
