import type { IdentityEvent } from '../../src/events/event-schema.js';
import { generateStream } from '../../test/support/identity-generator.js';

/**
 * The seeded test generator's stream with every event id and identifier value marked by `tag`, so
 * that streams of several tags (a lookup population and a measured stream; the soak's successive
 * chunks) share no identifier and no event key. Phone numbers are left out: the generator's are the
 * same in every stream, and a tag would make them invalid. The truth is relabelled alike; without
 * the phones a person's identifiers may no longer be connected, so it says which generated person an
 * identifier came from, not the partition the stream makes.
 */
export interface TaggedStream {
  events: IdentityEvent[];
  /** identifier key (`type:value`, normalised) -> true person index */
  truth: Map<string, number>;
}

/** `value` of `type` marked by `tag` (lower-case letters and digits), still valid and normalised. */
function tagged(type: string, value: string, tag: string): string {
  return type === 'email' ? `${tag}.${value}` : `${tag}-${value}`;
}

export function taggedStream(events: number, seed: number, tag: string): TaggedStream {
  if (!/^[a-z0-9]+$/.test(tag))
    throw new Error(`tag must be lower-case letters and digits: ${tag}`);
  const stream = generateStream({ events, seed });
  const out: IdentityEvent[] = [];
  for (const event of stream.events) {
    const identifiers = event.identifiers
      .filter((i) => i.type !== 'phone')
      .map((i) => ({ type: i.type, value: tagged(i.type, i.value, tag) }));
    if (identifiers.length === 0) continue;
    out.push({ ...event, id: `${tag}-${event.id}`, identifiers });
  }
  const truth = new Map<string, number>();
  for (const [key, person] of stream.truth) {
    const colon = key.indexOf(':');
    const type = key.slice(0, colon);
    if (type !== 'phone') truth.set(`${type}:${tagged(type, key.slice(colon + 1), tag)}`, person);
  }
  return { events: out, truth };
}

/** Request bodies of up to `batchSize` events, serialised before anything is timed. */
export function requestBodies(events: readonly IdentityEvent[], batchSize: number): string[] {
  const bodies: string[] = [];
  for (let i = 0; i < events.length; i += batchSize)
    bodies.push(JSON.stringify({ events: events.slice(i, i + batchSize) }));
  return bodies;
}

/** `type:value` -> `{ type, value }` (values may contain colons; types do not). */
export function splitKey(key: string): { type: string; value: string } {
  const colon = key.indexOf(':');
  return { type: key.slice(0, colon), value: key.slice(colon + 1) };
}
