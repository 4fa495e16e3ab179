import { describe, expect, it } from 'vitest';
import { type ChangeEntry, changeEntrySchema } from '../../src/changes/change-contract.js';
import { createdChanges, mergedChanges, splitChanges } from '../../src/changes/change-outbox.js';
import { decodeCursor, encodeCursor, positionAfter } from '../../src/changes/feed-cursor.js';
import { deliveriesOf } from '../../src/changes/webhook-delivery.js';
import { signWebhook, verifyWebhookSignature } from '../../src/changes/webhook-signature.js';
import { loadConfig } from '../../src/config.js';

const at = Date.UTC(2026, 0, 1);
const P = (n: number) => `per_${'A'.repeat(21)}${n}`;

describe('change entry contract', () => {
  it('accepts every entry type with ids and counts', () => {
    const entries: ChangeEntry[] = [
      { type: 'person.created', at, personId: P(1) },
      { type: 'person.merged', at, absorbedId: P(2), survivorId: P(1) },
      { type: 'person.split', at, personId: P(1), parts: [P(3)] },
      { type: 'identifier.moved', at, fromPersonId: P(1), toPersonId: P(3), count: 2 },
      { type: 'person.erased', at, personId: P(3) },
      {
        type: 'consent.changed',
        at,
        personId: P(1),
        purposes: ['identity_linking'],
        granted: false,
        identifiers: 1,
      },
    ];
    for (const entry of entries) expect(changeEntrySchema.parse(entry)).toEqual(entry);
  });

  it('refuses anything that could carry a value: a non-id in an id field, extra fields', () => {
    const bad = [
      { type: 'person.created', at, personId: 'jane@example.com' },
      { type: 'person.created', at, personId: 'per_jane@example.com' },
      { type: 'person.created', at, personId: P(1), email: 'jane@example.com' },
      { type: 'identifier.moved', at, fromPersonId: P(1), toPersonId: P(2), count: 0 },
      { type: 'person.split', at, personId: P(1), parts: [] },
      {
        type: 'consent.changed',
        at,
        personId: P(1),
        purposes: ['Jane Doe'],
        granted: true,
        identifiers: 1,
      },
      { type: 'person.renamed', at, personId: P(1) },
      { type: 'person.created', personId: P(1) },
    ];
    for (const entry of bad)
      expect(changeEntrySchema.safeParse(entry).success, JSON.stringify(entry)).toBe(false);
  });

  it('builds a split as the split and one move per part, with its identifier count', () => {
    expect(
      splitChanges(
        P(1),
        [
          { personId: P(2), identifiers: 2 },
          { personId: P(3), identifiers: 1 },
        ],
        at,
      ),
    ).toEqual([
      { type: 'person.split', at, personId: P(1), parts: [P(2), P(3)] },
      { type: 'identifier.moved', at, fromPersonId: P(1), toPersonId: P(2), count: 2 },
      { type: 'identifier.moved', at, fromPersonId: P(1), toPersonId: P(3), count: 1 },
    ]);
    expect(splitChanges(P(1), [], at)).toEqual([]);
    expect(createdChanges([P(1)], at)).toEqual([{ type: 'person.created', at, personId: P(1) }]);
    expect(mergedChanges([{ absorbedId: P(2), survivorId: P(1) }], at)).toEqual([
      { type: 'person.merged', at, absorbedId: P(2), survivorId: P(1) },
    ]);
  });
});

describe('feed cursors', () => {
  it('round-trip a position and are opaque url-safe strings', () => {
    for (const position of [
      { seq: 0, index: 0 },
      { seq: 1, index: 0 },
      { seq: 123_456_789_012, index: 999 },
    ]) {
      const cursor = encodeCursor(position);
      expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
      expect(decodeCursor(cursor)).toEqual(position);
    }
  });

  it('refuses what this encoder did not make', () => {
    const valid = encodeCursor({ seq: 5, index: 2 });
    for (const cursor of [
      '',
      'abc',
      `${valid}=`,
      `${valid}A`,
      Buffer.from('v1.05.2').toString('base64url'),
      Buffer.from('v1.-5.2').toString('base64url'),
      Buffer.from('v2.5.2').toString('base64url'),
      Buffer.from('v1.5').toString('base64url'),
      'x'.repeat(200),
    ])
      expect(decodeCursor(cursor), cursor).toBeUndefined();
  });

  it('names the entry after the last of a batch as the first of the next batch', () => {
    expect(positionAfter(7, 0, 3)).toEqual({ seq: 7, index: 1 });
    expect(positionAfter(7, 2, 3)).toEqual({ seq: 8, index: 0 });
  });
});

describe('webhook signatures', () => {
  const secret = 'whsec-0123456789abcdef';
  const body = JSON.stringify({ deliveryId: 'crm.chg_x.0', type: 'person.created' });
  const now = 1_800_000_000;

  it('verify what was signed, within the tolerance', () => {
    const header = signWebhook(secret, body, now);
    expect(header).toMatch(/^t=1800000000,v1=[0-9a-f]{64}$/);
    expect(verifyWebhookSignature(secret, header, body, 300, now)).toBe(true);
    expect(verifyWebhookSignature(secret, header, body, 300, now + 300)).toBe(true);
    expect(verifyWebhookSignature(secret, header, body, 300, now - 300)).toBe(true);
  });

  it('refuse another secret, a changed body, an old or future timestamp, a bad header', () => {
    const header = signWebhook(secret, body, now);
    expect(verifyWebhookSignature('another-secret-0123456', header, body, 300, now)).toBe(false);
    expect(
      verifyWebhookSignature(secret, header, body.replace('created', 'erased'), 300, now),
    ).toBe(false);
    expect(verifyWebhookSignature(secret, header, body, 300, now + 301)).toBe(false);
    expect(verifyWebhookSignature(secret, header, body, 300, now - 301)).toBe(false);
    // The timestamp is signed: moving it forward breaks the signature.
    const moved = header.replace(`t=${now}`, `t=${now + 1000}`);
    expect(verifyWebhookSignature(secret, moved, body, 300, now + 1000)).toBe(false);
    for (const bad of [undefined, null, '', 'v1=abc', `t=${now}`, `t=x,v1=${'0'.repeat(64)}`])
      expect(verifyWebhookSignature(secret, bad, body, 300, now)).toBe(false);
  });

  it('accept any of several v1 signatures (a secret being rotated)', () => {
    const old = signWebhook('old-secret-0123456789', body, now);
    const fresh = signWebhook(secret, body, now);
    const both = `${fresh},${old.split(',')[1]!}`;
    expect(verifyWebhookSignature(secret, both, body, 300, now)).toBe(true);
    expect(verifyWebhookSignature('old-secret-0123456789', both, body, 300, now)).toBe(true);
  });
});

describe('webhook deliveries', () => {
  const entries: ChangeEntry[] = [
    { type: 'person.created', at, personId: P(1) },
    { type: 'person.merged', at, absorbedId: P(2), survivorId: P(1) },
  ];
  const endpoints = [
    { name: 'crm', url: 'http://127.0.0.1:1/hook', secret: 's'.repeat(16) },
    {
      name: 'merges',
      url: 'http://127.0.0.1:1/m',
      secret: 'm'.repeat(16),
      types: ['person.merged'],
    },
  ];

  it('one per entry and endpoint of a type it takes, with a stable id and the feed cursor', () => {
    const deliveries = deliveriesOf({ id: 'chg_abc', seq: 9, entries }, endpoints);
    expect(deliveries.map((d) => [d.endpoint, d.deliveryId])).toEqual([
      ['crm', 'crm.chg_abc.0'],
      ['crm', 'crm.chg_abc.1'],
      ['merges', 'merges.chg_abc.1'],
    ]);
    const bodies = deliveries.map((d) => JSON.parse(d.body) as Record<string, unknown>);
    expect(bodies[0]).toEqual({
      deliveryId: 'crm.chg_abc.0',
      cursor: encodeCursor({ seq: 9, index: 1 }),
      type: 'person.created',
      at: new Date(at).toISOString(),
      personId: P(1),
    });
    expect(bodies[1]!.cursor).toBe(encodeCursor({ seq: 10, index: 0 }));
    // Nothing but the endpoint's name and the body: no URL, no secret.
    expect(JSON.stringify(deliveries)).not.toMatch(/127\.0\.0\.1|ssss|mmmm/);
  });
});

describe('webhook configuration', () => {
  const base = { NODE_ENV: 'test' };
  it('parses endpoints, and lists what is wrong without repeating a secret', () => {
    const config = loadConfig({
      ...base,
      WEBHOOKS: JSON.stringify([
        { name: 'crm', url: 'https://crm.example/hook', secret: 'a-secret-of-16-chars' },
      ]),
    });
    expect(config.WEBHOOKS).toEqual([
      { name: 'crm', url: 'https://crm.example/hook', secret: 'a-secret-of-16-chars' },
    ]);
    let message = '';
    try {
      loadConfig({
        ...base,
        WEBHOOKS: JSON.stringify([
          { name: 'crm', url: 'ftp://crm.example', secret: 'short-secret' },
          { name: 'crm', url: 'https://x.example', secret: 'long-enough-secret', types: ['nope'] },
        ]),
      });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/WEBHOOKS/);
    expect(message).toMatch(/16 characters/);
    expect(message).toMatch(/http/);
    expect(message).not.toMatch(/short-secret|long-enough-secret/);
  });
});
