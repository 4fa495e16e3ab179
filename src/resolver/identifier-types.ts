import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';

/**
 * Identifier types and their normalisation. Ingestion and lookups both go through
 * {@link IdentifierRegistry.normalize}, so a value asked for over the API always finds the node that
 * ingestion wrote. Values are personal data: results carry reason codes, never the value itself.
 */

export type NormalizeFailure = { ok: false; reason: RejectReason };
export type NormalizeSuccess = { ok: true; type: string; value: string; key: string };
export type NormalizeResult = NormalizeSuccess | NormalizeFailure;

export type RejectReason =
  | 'unknown_type'
  | 'empty'
  | 'too_long'
  | 'blocked'
  | 'invalid_email'
  | 'invalid_phone'
  | 'invalid_hash'
  | 'invalid_uuid'
  | 'invalid_external_id'
  | 'invalid_format';

type Normalizer = (raw: string) => { ok: true; value: string } | NormalizeFailure;

export interface IdentifierTypeInfo {
  name: string;
  description: string;
}

export interface CustomIdentifierType {
  name: string;
  normalize: 'trim' | 'lowercase' | 'uppercase' | 'digits';
  pattern?: string | undefined;
}

export interface IdentifierOptions {
  defaultPhoneRegion?: string | undefined;
  removeGmailDots?: boolean;
  removePlusTags?: boolean;
  customTypes?: readonly CustomIdentifierType[] | undefined;
  extraBlocklist?: readonly string[] | undefined;
}

/** Values that stand for "no value" in real data and must never link anyone (documented in docs/identifiers.md). */
export const defaultBlocklist: readonly string[] = [
  'test@test.com',
  'test@example.com',
  'noemail@noemail.com',
  'null',
  'undefined',
  'unknown',
  'n/a',
  'na',
  'none',
  'nil',
  'nan',
  '-',
  '0',
  '00000000-0000-0000-0000-000000000000',
];

export const MAX_IDENTIFIER_LENGTH = 512;

const fail = (reason: RejectReason): NormalizeFailure => ({ ok: false, reason });
const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const email = /^[^\s@]+@[^\s@]+\.[^\s@.]{2,}$/;
const gmailDomains = new Set(['gmail.com', 'googlemail.com']);

function normalizeEmail(raw: string, options: IdentifierOptions): ReturnType<Normalizer> {
  const value = raw.trim().toLowerCase();
  if (!email.test(value)) return fail('invalid_email');
  const at = value.lastIndexOf('@');
  let local = value.slice(0, at);
  let domain = value.slice(at + 1);
  const gmail = gmailDomains.has(domain);
  if (options.removePlusTags || (gmail && options.removeGmailDots)) local = local.split('+')[0]!;
  if (gmail && options.removeGmailDots) {
    local = local.replaceAll('.', '');
    domain = 'gmail.com';
  }
  if (local.length === 0) return fail('invalid_email');
  return { ok: true, value: `${local}@${domain}` };
}

function normalizePhone(raw: string, options: IdentifierOptions): ReturnType<Normalizer> {
  const digits = raw.replace(/\D/g, '');
  // All-zero numbers are placeholders; they are blocked, not merely invalid, so they never link.
  if (digits.length > 0 && /^0+$/.test(digits)) return fail('blocked');
  const parsed = parsePhoneNumberFromString(
    raw.trim(),
    options.defaultPhoneRegion as CountryCode | undefined,
  );
  if (!parsed || !parsed.isValid()) return fail('invalid_phone');
  return { ok: true, value: parsed.number };
}

const trim: Normalizer = (raw) => ({ ok: true, value: raw.trim() });
const lower: Normalizer = (raw) => ({ ok: true, value: raw.trim().toLowerCase() });

const builtIns: Record<
  string,
  { description: string; normalize: (raw: string, o: IdentifierOptions) => ReturnType<Normalizer> }
> = {
  email: {
    description: 'Trimmed and lower-cased; Gmail dots and +tags removed only when configured.',
    normalize: normalizeEmail,
  },
  phone: {
    description:
      'E.164 via libphonenumber (full metadata); numbers without a country code use DEFAULT_PHONE_REGION.',
    normalize: normalizePhone,
  },
  user_id: { description: 'Login id; trimmed, case kept.', normalize: trim },
  crm_id: { description: 'CRM record id; trimmed, case kept.', normalize: trim },
  device_id: { description: 'Device id; trimmed and lower-cased.', normalize: lower },
  cookie_id: { description: 'First-party cookie id; trimmed, case kept.', normalize: trim },
  maid: {
    description:
      'Mobile advertising id (IDFA/GAID): a UUID, lower-cased; the all-zero UUID is blocked.',
    normalize: (raw) => {
      const value = raw.trim().toLowerCase();
      return uuid.test(value) ? { ok: true, value } : fail('invalid_uuid');
    },
  },
  hashed_email: {
    description: 'Hex digest (MD5, SHA-1 or SHA-256) of a normalised email; lower-cased.',
    normalize: (raw) => {
      const value = raw.trim().toLowerCase();
      return /^(?:[0-9a-f]{32}|[0-9a-f]{40}|[0-9a-f]{64})$/.test(value)
        ? { ok: true, value }
        : fail('invalid_hash');
    },
  },
  external_id: {
    description:
      'An opaque id of a source system, written `system:id`; trimmed, the system lower-cased.',
    normalize: (raw) => {
      const value = raw.trim();
      const colon = value.indexOf(':');
      if (colon <= 0 || colon === value.length - 1) return fail('invalid_external_id');
      return {
        ok: true,
        value: `${value.slice(0, colon).toLowerCase()}:${value.slice(colon + 1).trim()}`,
      };
    },
  },
};

function customNormalizer(type: CustomIdentifierType): Normalizer {
  const pattern = type.pattern === undefined ? undefined : new RegExp(type.pattern);
  return (raw) => {
    let value = raw.trim();
    if (type.normalize === 'lowercase') value = value.toLowerCase();
    if (type.normalize === 'uppercase') value = value.toUpperCase();
    if (type.normalize === 'digits') value = value.replace(/\D/g, '');
    if (pattern && !pattern.test(value)) return fail('invalid_format');
    return { ok: true, value };
  };
}

export type IdentifierRegistry = ReturnType<typeof createIdentifierRegistry>;

export function createIdentifierRegistry(options: IdentifierOptions = {}) {
  const normalizers = new Map<string, Normalizer>();
  const infos: IdentifierTypeInfo[] = [];
  for (const [name, t] of Object.entries(builtIns)) {
    normalizers.set(name, (raw) => t.normalize(raw, options));
    infos.push({ name, description: t.description });
  }
  for (const custom of options.customTypes ?? []) {
    if (normalizers.has(custom.name)) throw new Error(`identifier type ${custom.name} is built in`);
    normalizers.set(custom.name, customNormalizer(custom));
    infos.push({ name: custom.name, description: `Custom type (${custom.normalize}).` });
  }
  const blocked = new Set(
    [...defaultBlocklist, ...(options.extraBlocklist ?? [])].map((v) => v.trim().toLowerCase()),
  );
  const isBlocked = (value: string) => {
    const lowered = value.trim().toLowerCase();
    if (blocked.has(lowered)) return true;
    // `crm:null` is as empty as `null`.
    const colon = lowered.indexOf(':');
    return colon > 0 && blocked.has(lowered.slice(colon + 1));
  };

  return {
    types: infos as readonly IdentifierTypeInfo[],
    has: (type: string) => normalizers.has(type),
    /** Normalises one raw value; the key `type:value` is the node's identity in the graph. */
    normalize(type: string, raw: string): NormalizeResult {
      const normalizer = normalizers.get(type);
      if (!normalizer) return fail('unknown_type');
      if (raw.trim().length === 0) return fail('empty');
      if (raw.length > MAX_IDENTIFIER_LENGTH) return fail('too_long');
      if (isBlocked(raw)) return fail('blocked');
      const result = normalizer(raw);
      if (!result.ok) return result;
      if (result.value.length === 0) return fail('empty');
      if (isBlocked(result.value)) return fail('blocked');
      return { ok: true, type, value: result.value, key: `${type}:${result.value}` };
    },
  };
}
