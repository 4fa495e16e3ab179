import { IDENTITY_LINKING } from '../consent/consent-rules.js';
import { eventKey, type IdentityEvent } from '../events/event-schema.js';
import type { IdentifierRegistry } from './identifier-types.js';
import type { PlanEvent } from './resolution-plan.js';

/**
 * Turns raw events into what the resolver links: normalised, blocklisted, de-duplicated identifiers.
 * A bad value is dropped from its event with a reason; an event left with no usable identifier is
 * rejected whole. Reasons name the identifier by position and type, never by value.
 */

export interface PreparedIdentifier {
  key: string;
  type: string;
  value: string;
}

export interface PreparedEvent extends PlanEvent {
  eventId: string;
  identifiers: readonly PreparedIdentifier[];
  /** The event as received, kept in the event log for replay. */
  payload: string;
  /** Attributes for probabilistic matching, as received. */
  attributes?: Readonly<Record<string, unknown>>;
  /**
   * The consent the event asserts, purpose -> granted, when it carries any: the state of each of
   * its identifiers for those purposes, as of its occurredAt (src/consent/consent-rules.ts).
   */
  consent?: Readonly<Record<string, boolean>>;
}

export interface Rejection {
  eventId: string;
  source: string;
  reason: string;
}

export function prepareEvents(
  events: readonly IdentityEvent[],
  registry: Pick<IdentifierRegistry, 'normalize'>,
): { prepared: PreparedEvent[]; rejected: Rejection[]; rejectedEvents: number; repeated: number } {
  const prepared: PreparedEvent[] = [];
  const rejected: Rejection[] = [];
  let rejectedEvents = 0;
  let repeated = 0;
  const seen = new Set<string>();
  for (const event of events) {
    const key = eventKey(event);
    // The same event twice in one batch is one event: the idempotency key decides.
    if (seen.has(key)) {
      repeated += 1;
      continue;
    }
    seen.add(key);
    const identifiers = new Map<string, PreparedIdentifier>();
    event.identifiers.forEach((raw, index) => {
      const result = registry.normalize(raw.type, raw.value);
      if (result.ok)
        identifiers.set(result.key, { key: result.key, type: result.type, value: result.value });
      else
        rejected.push({
          eventId: event.id,
          source: event.source,
          reason: `identifiers[${index}] (${raw.type.slice(0, 40)}): ${result.reason}`,
        });
    });
    if (identifiers.size === 0) {
      rejected.push({
        eventId: event.id,
        source: event.source,
        reason: 'no_usable_identifier: event rejected',
      });
      rejectedEvents += 1;
      continue;
    }
    const purposes = event.consent?.purposes ?? {};
    prepared.push({
      key,
      eventId: event.id,
      source: event.source,
      occurredAt: Date.parse(event.occurredAt),
      identifiers: [...identifiers.values()].sort((a, b) => (a.key < b.key ? -1 : 1)),
      linking: purposes[IDENTITY_LINKING] !== false,
      purposes: Object.keys(purposes)
        .filter((p) => purposes[p] === true)
        .sort(),
      confidence: event.confidence ?? 1,
      payload: JSON.stringify(event),
      ...(event.attributes === undefined ? {} : { attributes: event.attributes }),
      ...(Object.keys(purposes).length === 0 ? {} : { consent: purposes }),
    });
  }
  return { prepared, rejected, rejectedEvents, repeated };
}
