/**
 * Consent state per identifier and purpose: which assertion is current, and when one changes it.
 * Pure; the graph side is consent-state.ts.
 *
 * An assertion says that an identifier's holder granted or denied a purpose at a time: an event's
 * `consent.purposes` (at = the event's occurredAt) or a privacy request (at = the request's
 * creation). The current state is the newest assertion:
 * - an event replaces an event-set state when it is newer, or equally new with a larger event key
 *   (so two batches asserting at the same instant end the same, whichever commits first);
 * - an event replaces a request-set state only when strictly newer: a request outranks every event
 *   of its time or older;
 * - a request replaces any state of its time or older (a later request over an earlier one of the
 *   same instant).
 * History records an assertion when it becomes current and either is the first for its purpose or
 * flips `granted`: it grows with changes, not with events.
 */

export const IDENTITY_LINKING = 'identity_linking';

/** The source a request-set state names. */
export const PRIVACY_REQUEST_SOURCE = 'privacy_request';

/** One assertion of consent to one purpose: by an event (eventKey) or a request (requestId). */
export interface ConsentAssertion {
  readonly purpose: string;
  readonly granted: boolean;
  /** Epoch milliseconds: the event's occurredAt, or the request's creation. */
  readonly at: number;
  readonly source: string;
  readonly eventKey: string | null;
  readonly requestId: string | null;
}

/** True when `next` replaces `current` as the current state (the rules above). */
export function outranks(next: ConsentAssertion, current: ConsentAssertion | undefined): boolean {
  if (current === undefined) return true;
  if (next.requestId !== null) return next.at >= current.at;
  if (current.requestId !== null) return next.at > current.at;
  return next.at > current.at || (next.at === current.at && next.eventKey! > current.eventKey!);
}

/** What folding assertions into one identifier's state for one purpose changed. */
export interface ConsentFold {
  /** The state now, or undefined when none of the assertions replaced the one before. */
  state: ConsentAssertion | undefined;
  /** History entries, oldest first: assertions that became current as the first or flipping `granted`. */
  changes: ConsentAssertion[];
}

/**
 * Applies `assertions` in the order given (callers give them oldest first) to `current`. The same
 * assertion as the current one (the same event or request, the same answer) changes nothing, so a
 * request step run twice records once.
 */
export function foldConsent(
  current: ConsentAssertion | undefined,
  assertions: readonly ConsentAssertion[],
): ConsentFold {
  let state = current;
  let replaced = false;
  const changes: ConsentAssertion[] = [];
  for (const next of assertions) {
    if (state !== undefined && sameAssertion(next, state)) continue;
    if (!outranks(next, state)) continue;
    if (state === undefined || state.granted !== next.granted) changes.push(next);
    state = next;
    replaced = true;
  }
  return { state: replaced ? state : undefined, changes };
}

function sameAssertion(a: ConsentAssertion, b: ConsentAssertion): boolean {
  return (
    a.granted === b.granted &&
    a.at === b.at &&
    a.eventKey === b.eventKey &&
    a.requestId === b.requestId
  );
}

/** True when the state denies identity linking: such an identifier links nothing. */
export const deniesLinking = (state: ConsentAssertion | undefined): boolean =>
  state !== undefined && !state.granted;
