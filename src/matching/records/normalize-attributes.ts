import { DERIVED_ATTRIBUTES, deriveAttributes } from './derived-address.js';

/**
 * Normalisation of person attributes before comparison and blocking. Every function is pure and
 * total: it returns `null` for a value that carries no usable information (absent, blank, or not
 * parseable), and the comparison layer treats `null` as the "missing" level, which adds no weight.
 *
 * All values handled here are personal data: callers must not log them.
 */

/** The attributes the matcher knows by name. Records may carry further, configured attributes. */
export const STANDARD_ATTRIBUTES = [
  'firstName',
  'lastName',
  'dateOfBirth',
  'gender',
  'street',
  'streetNumber',
  'city',
  'postcode',
  'state',
  'country',
] as const;

export type StandardAttribute = (typeof STANDARD_ATTRIBUTES)[number];

/**
 * How a value is cleaned:
 * - `name`: letters and digits only, lower case, diacritics removed ("O'Brien-Smith" -> "obriensmith"),
 *   so spacing and punctuation differences do not count as typos;
 * - `text`: lower case, diacritics removed, punctuation to spaces, whitespace collapsed (streets, cities);
 * - `code`: lower case letters and digits only (postcodes, house numbers, national ids);
 * - `date`: canonical `YYYY-MM-DD` (see {@link normalizeDate});
 * - `gender`: `m`, `f` or `x`.
 */
export type AttributeKind = 'name' | 'text' | 'code' | 'date' | 'gender';

export const STANDARD_ATTRIBUTE_KINDS: Readonly<Record<StandardAttribute, AttributeKind>> = {
  firstName: 'name',
  lastName: 'name',
  dateOfBirth: 'date',
  gender: 'gender',
  street: 'text',
  streetNumber: 'code',
  city: 'text',
  postcode: 'code',
  state: 'code',
  country: 'code',
};

/** Raw attributes as received; unknown keys are extra attributes (e.g. a national id). */
export type RawAttributes = Readonly<Record<string, string | null | undefined>>;

/** A record ready for comparison: every value normalised, absent values are `null`. */
export interface MatchRecord {
  /** Stable id of the record (an event or person id); never personal data. */
  readonly id: string;
  /** For linking between sources: pairs are only formed across different sources. */
  readonly source?: string;
  readonly values: Readonly<Record<string, string | null>>;
}

const COMBINING_MARKS = /\p{M}+/gu;

function fold(raw: string): string {
  return raw.normalize('NFKD').replace(COMBINING_MARKS, '').toLowerCase();
}

function nonEmpty(value: string): string | null {
  return value.length > 0 ? value : null;
}

/** Letters and digits only, lower case, no diacritics. */
export function normalizeName(raw: string | null | undefined): string | null {
  if (raw == null) return null;
  return nonEmpty(fold(raw).replace(/[^\p{L}\p{N}]+/gu, ''));
}

/** Lower case, punctuation to spaces, whitespace collapsed and trimmed. */
export function normalizeText(raw: string | null | undefined): string | null {
  if (raw == null) return null;
  return nonEmpty(
    fold(raw)
      .replace(/[^\p{L}\p{N}]+/gu, ' ')
      .trim(),
  );
}

/** Lower-case letters and digits only. */
export function normalizeCode(raw: string | null | undefined): string | null {
  if (raw == null) return null;
  return nonEmpty(fold(raw).replace(/[^\p{L}\p{N}]+/gu, ''));
}

const GENDERS: Readonly<Record<string, 'm' | 'f' | 'x'>> = {
  m: 'm',
  male: 'm',
  man: 'm',
  f: 'f',
  female: 'f',
  woman: 'f',
  w: 'f',
  x: 'x',
  nonbinary: 'x',
  other: 'x',
  diverse: 'x',
  d: 'x',
};

/** `m`, `f` or `x`; anything unrecognised (including "unknown") is missing. */
export function normalizeGender(raw: string | null | undefined): 'm' | 'f' | 'x' | null {
  const code = normalizeCode(raw);
  return code === null ? null : (GENDERS[code] ?? null);
}

const DATE_SHAPES = [
  /^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[T ].*)?$/, // 1971-06-24, 1971/6/24, ISO date-time
  /^(\d{4})(\d{2})(\d{2})$/, // 19710624 (FEBRL)
];

/**
 * Canonical `YYYY-MM-DD`, from `YYYY-MM-DD`, `YYYY/MM/DD` (one- or two-digit parts, optional time)
 * or `YYYYMMDD`. Day-first and month-first forms are ambiguous and are not guessed: they give `null`.
 *
 * The calendar is deliberately not checked: a date with a transcription typo ("1971-06-34") is still
 * evidence (one character from the truth), so it is kept for string comparison; levels that need
 * date arithmetic check validity with {@link parseIsoDate}.
 */
export function normalizeDate(raw: string | null | undefined): string | null {
  if (raw == null) return null;
  const text = raw.trim();
  for (const shape of DATE_SHAPES) {
    const match = shape.exec(text);
    if (match) {
      const [, y, m, d] = match;
      return `${y}-${m!.padStart(2, '0')}-${d!.padStart(2, '0')}`;
    }
  }
  return null;
}

export interface DateParts {
  year: number;
  month: number;
  day: number;
  /** Days since 1970-01-01 (UTC); `null` when the date is not a real calendar date. */
  epochDay: number | null;
}

/** Splits a canonical date; `epochDay` is set only for real calendar dates. */
export function parseIsoDate(iso: string): DateParts | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
  if (!match) return null;
  const year = Number(match[1]);
  const month = Number(match[2]);
  const day = Number(match[3]);
  const time = Date.UTC(year, month - 1, day);
  const date = new Date(time);
  const valid =
    date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
  return { year, month, day, epochDay: valid ? Math.round(time / 86_400_000) : null };
}

const NORMALIZERS: Readonly<
  Record<AttributeKind, (raw: string | null | undefined) => string | null>
> = {
  name: normalizeName,
  text: normalizeText,
  code: normalizeCode,
  date: normalizeDate,
  gender: normalizeGender,
};

export function normalizeValue(kind: AttributeKind, raw: string | null | undefined): string | null {
  return NORMALIZERS[kind](raw);
}

export interface NormalizeOptions {
  /** Kinds of extra attributes (standard ones have fixed kinds); an unlisted extra is a `code`. */
  readonly attributeKinds?: Readonly<Record<string, AttributeKind>>;
}

/**
 * Normalises every attribute of a raw record; absent standard attributes become `null`. The
 * derived attributes (the packed `address`, see derived-address.ts) are computed from the
 * normalised ones; raw values under their names are ignored.
 */
export function normalizeRecord(
  input: { id: string; source?: string; attributes: RawAttributes },
  options: NormalizeOptions = {},
): MatchRecord {
  const values: Record<string, string | null> = {};
  for (const attribute of STANDARD_ATTRIBUTES) values[attribute] = null;
  for (const [attribute, raw] of Object.entries(input.attributes)) {
    if (DERIVED_ATTRIBUTES.includes(attribute)) continue;
    const kind =
      (STANDARD_ATTRIBUTE_KINDS as Record<string, AttributeKind | undefined>)[attribute] ??
      options.attributeKinds?.[attribute] ??
      'code';
    values[attribute] = normalizeValue(kind, raw);
  }
  deriveAttributes(values);
  return input.source === undefined
    ? { id: input.id, values }
    : { id: input.id, source: input.source, values };
}
