import { describe, expect, it } from 'vitest';
import type { IdentityEvent } from '../../src/events/event-schema.js';
import { dropSuppressed, memoHasher, scrubEvents } from '../../src/resolver/batch-suppression.js';
import { scrubPayloadEvents } from '../../src/privacy/erase-queue.js';
import { createIdentifierRegistry } from '../../src/resolver/identifier-types.js';
import { prepareEvents } from '../../src/resolver/prepare-events.js';

const registry = createIdentifierRegistry({ defaultPhoneRegion: 'GB' });
const events: IdentityEvent[] = [
  {
    id: 'e1',
    source: 'web',
    occurredAt: '2026-01-01T00:00:00Z',
    identifiers: [
      { type: 'email', value: ' Gone@Example.org ' },
      { type: 'user_id', value: 'u1' },
    ],
    attributes: { firstName: 'Ann' },
  },
  {
    id: 'e2',
    source: 'web',
    occurredAt: '2026-01-01T00:00:01Z',
    identifiers: [{ type: 'email', value: 'GONE@example.org' }],
  },
  {
    id: 'e3',
    source: 'web',
    occurredAt: '2026-01-01T00:00:02Z',
    identifiers: [{ type: 'user_id', value: 'u2' }],
    attributes: { firstName: 'Bo' },
  },
];
const suppressed = new Set(['email:gone@example.org']);

describe('suppression at ingest', () => {
  it('drops suppressed identifiers by normalised key, with the attributes of the events that carried them; rejects events left empty', () => {
    const { prepared } = prepareEvents(events, registry);
    const { kept, rejected, dropped } = dropSuppressed(prepared, registry, suppressed);
    expect(dropped).toBe(2);
    expect(rejected).toEqual([{ eventId: 'e2', source: 'web', reason: 'suppressed' }]);
    expect(kept.map((e) => [e.eventId, e.identifiers.map((i) => i.key), e.attributes])).toEqual([
      ['e1', ['user_id:u1'], undefined],
      ['e3', ['user_id:u2'], { firstName: 'Bo' }],
    ]);
    expect(kept[0]!.payload).not.toMatch(/gone|Ann/i);
    expect(JSON.parse(kept[0]!.payload)).toMatchObject({
      id: 'e1',
      identifiers: [{ value: 'u1' }],
    });
    expect(kept[1]).toBe(prepared[2]);
  });

  it('scrubs raw events the same way, leaving out those with nothing left', () => {
    const scrubbed = scrubEvents(events, registry, suppressed);
    expect(scrubbed.map((e) => e.id)).toEqual(['e1', 'e3']);
    expect(JSON.stringify(scrubbed)).not.toMatch(/gone|Ann/i);
    expect(scrubEvents(events, registry, new Set())).toEqual(events);
  });

  it('hashes each key once per batch', () => {
    let calls = 0;
    const hash = memoHasher((key) => `${(calls += 1)}:${key}`);
    expect([hash('a'), hash('b'), hash('a')]).toEqual(['1:a', '2:b', '1:a']);
  });
});

describe('scrubbing queued payloads', () => {
  const isSubject = (type: string, value: string) => {
    const r = registry.normalize(type, value);
    return r.ok && r.key === 'email:gone@example.org';
  };

  it('removes subject identifiers and the attributes of events that carried them, leaves out emptied events, answers undefined when nothing matched', () => {
    const raw: unknown[] = [...events, { id: 'bad', identifiers: 'not a list' }, null];
    const scrubbed = scrubPayloadEvents(raw, isSubject);
    const { attributes: _dropped, ...first } = events[0]!;
    expect(scrubbed).toEqual([
      { ...first, identifiers: [{ type: 'user_id', value: 'u1' }] },
      events[2],
      raw[3],
      null,
    ]);
    expect(scrubPayloadEvents([events[2], null], isSubject)).toBeUndefined();
  });
});
