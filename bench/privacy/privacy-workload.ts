import type { IdentityEvent } from '../../src/events/event-schema.js';

/**
 * The privacy benchmark's events. A person: `identifiers` identifiers (emails and cookie ids in
 * turn) on a ring, event k mentioning identifier k mod n and the next one, so every identifier
 * pair on the ring is one link with events / n events of evidence, and the person holds together
 * only through them. Every event grants identity_linking and marketing; the first event of each
 * identifier carries attributes (a record per identifier, names unique so matching finds no
 * candidates). Values and event ids carry `label`, so that each build is new to the service (its
 * job ids, caches and suppression list).
 */
export function personEvents(label: string, identifiers: number, events: number): IdentityEvent[] {
  const identifier = (j: number) =>
    j % 2 === 0
      ? { type: 'email', value: `p.${label}.${j}@example.com` }
      : { type: 'cookie_id', value: `ck-${label}-${j}` };
  const start = Date.UTC(2025, 0, 1);
  return Array.from({ length: events }, (_, k) => {
    const j = k % identifiers;
    return {
      id: `${label}-${k}`,
      source: 'bench',
      occurredAt: new Date(start + k * 1000).toISOString(),
      identifiers: [identifier(j), identifier((j + 1) % identifiers)],
      consent: { purposes: { identity_linking: true, marketing: true } },
      ...(k < identifiers
        ? { attributes: { firstName: `f${label}x${j}`, lastName: `l${j}x${label}` } }
        : {}),
    };
  });
}

/** `count` events of one new identifier each: one person.created feed entry each. */
export function feedEvents(label: string, count: number): IdentityEvent[] {
  const start = Date.UTC(2025, 0, 1);
  return Array.from({ length: count }, (_, k) => ({
    id: `${label}-${k}`,
    source: 'bench',
    occurredAt: new Date(start + k * 1000).toISOString(),
    identifiers: [{ type: 'cookie_id', value: `feed-${label}-${k}` }],
  }));
}
