import type { IdentityEvent } from '../../src/events/event-schema.js';

/**
 * The history benchmark's events: one person whose history holds every kind the resolver writes
 * most. Event 0 creates it (a hub email and a cookie id); then `merges` persons are created apart
 * (a device id and a cookie id each), all in one POST after the first; then, in later POSTs, each
 * of them is merged in by an event joining its device id to the hub, every tenth event or so, the
 * other events each joining a new cookie id to the hub. So the person's history is about one
 * `created` and one `identifier_joined` per event, and a `created` and a `merge` per merged
 * person. Values and event ids carry `label`, so that each build is new to the service.
 *
 * Returned as POST bodies' events in order: the first POST holds event 0 alone, so the person is
 * the oldest and survives every merge; the second the persons created apart.
 */
export function historyEvents(
  label: string,
  events: number,
  merges: number,
  batchSize: number,
): IdentityEvent[][] {
  const hub = { type: 'email', value: `hub.${label}@example.com` };
  const start = Date.UTC(2025, 0, 1);
  let k = 0;
  const next = (identifiers: IdentityEvent['identifiers']): IdentityEvent => ({
    id: `${label}-${k}`,
    source: 'bench',
    occurredAt: new Date(start + k++ * 1000).toISOString(),
    identifiers,
  });
  const device = (m: number) => ({ type: 'device_id', value: `dev-${label}-${m}` });
  const first = [next([hub, { type: 'cookie_id', value: `ck-${label}-0` }])];
  const apart = Array.from({ length: merges }, (_, m) =>
    next([device(m), { type: 'cookie_id', value: `ck-apart-${label}-${m}` }]),
  );
  const joins = events - 1 - merges;
  const rest: IdentityEvent[] = [];
  for (let j = 0, m = 0; j < joins; j++) {
    // Merges spread evenly among the joins.
    if (m < merges && j * merges >= m * joins) rest.push(next([device(m++), hub]));
    else rest.push(next([hub, { type: 'cookie_id', value: `ck-${label}-${j + 1}` }]));
  }
  const posts = [first, apart];
  for (let i = 0; i < rest.length; i += batchSize) posts.push(rest.slice(i, i + batchSize));
  return posts;
}
