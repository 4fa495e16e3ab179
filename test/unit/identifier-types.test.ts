import { describe, expect, it } from 'vitest';
import { createIdentifierRegistry } from '../../src/resolver/identifier-types.js';

const registry = createIdentifierRegistry({ defaultPhoneRegion: 'GB' });
const value = (type: string, raw: string) => {
  const r = registry.normalize(type, raw);
  return r.ok ? r.value : `!${r.reason}`;
};

describe('identifier normalisation', () => {
  it('trims and lower-cases emails, keeping Gmail dots unless configured', () => {
    expect(value('email', '  Jane.Doe+news@GMail.com ')).toBe('jane.doe+news@gmail.com');
    const gmail = createIdentifierRegistry({ removeGmailDots: true });
    const r = gmail.normalize('email', 'Jane.Doe+news@googlemail.com');
    expect(r.ok && r.value).toBe('janedoe@gmail.com');
    const tags = createIdentifierRegistry({ removePlusTags: true });
    const t = tags.normalize('email', 'a+b@example.org');
    expect(t.ok && t.value).toBe('a@example.org');
  });

  it('rejects malformed emails with a reason', () => {
    expect(value('email', 'not-an-email')).toBe('!invalid_email');
    expect(value('email', 'a@b')).toBe('!invalid_email');
  });

  it('formats phones as E.164 with libphonenumber and the default region', () => {
    expect(value('phone', '020 7946 0018')).toBe('+442079460018');
    expect(value('phone', '+1 (415) 555-2671')).toBe('+14155552671');
    expect(value('phone', '12')).toBe('!invalid_phone');
    expect(createIdentifierRegistry().normalize('phone', '020 7946 0018')).toEqual({
      ok: false,
      reason: 'invalid_phone',
    });
  });

  it('lower-cases device ids and maids, and requires a UUID for maid', () => {
    expect(value('device_id', ' ABC-1 ')).toBe('abc-1');
    expect(value('maid', 'AEBE52E7-03EE-455A-B3C4-E57283966239')).toBe(
      'aebe52e7-03ee-455a-b3c4-e57283966239',
    );
    expect(value('maid', 'nope')).toBe('!invalid_uuid');
  });

  it('keeps case of login and CRM ids, and writes external ids system:id', () => {
    expect(value('user_id', ' U-12 ')).toBe('U-12');
    expect(value('external_id', 'Zendesk:AB12')).toBe('zendesk:AB12');
    expect(value('external_id', 'no-system')).toBe('!invalid_external_id');
    expect(value('hashed_email', 'A'.repeat(64))).toBe('a'.repeat(64));
    expect(value('hashed_email', 'xyz')).toBe('!invalid_hash');
  });

  it.each([
    ['email', 'test@test.com'],
    ['email', 'TEST@TEST.COM'],
    ['user_id', 'null'],
    ['user_id', 'undefined'],
    ['crm_id', 'Unknown'],
    ['cookie_id', 'n/a'],
    ['user_id', 'none'],
    ['user_id', '0'],
    ['maid', '00000000-0000-0000-0000-000000000000'],
    ['device_id', '00000000-0000-0000-0000-000000000000'],
    ['phone', '0000000000'],
    ['phone', '+00 000 000'],
    ['external_id', 'crm:null'],
  ])('blocks junk value %s %s', (type, raw) => {
    expect(registry.normalize(type, raw)).toEqual({ ok: false, reason: 'blocked' });
  });

  it('takes extra blocked values and custom types from configuration', () => {
    const custom = createIdentifierRegistry({
      extraBlocklist: ['guest'],
      customTypes: [{ name: 'loyalty_id', normalize: 'uppercase', pattern: '^L\\d+$' }],
    });
    expect(custom.normalize('user_id', 'GUEST')).toEqual({ ok: false, reason: 'blocked' });
    expect(custom.normalize('loyalty_id', 'l123')).toEqual({
      ok: true,
      type: 'loyalty_id',
      value: 'L123',
      key: 'loyalty_id:L123',
    });
    expect(custom.normalize('loyalty_id', 'x1')).toEqual({ ok: false, reason: 'invalid_format' });
    expect(registry.normalize('loyalty_id', 'L1')).toEqual({ ok: false, reason: 'unknown_type' });
  });

  it('rejects empty and oversized values', () => {
    expect(value('user_id', '   ')).toBe('!empty');
    expect(value('user_id', 'x'.repeat(600))).toBe('!too_long');
  });
});
