import { DERIVED_ATTRIBUTES } from './derived-address.js';
import {
  type AttributeKind,
  type NormalizeOptions,
  normalizeValue,
  parseIsoDate,
  STANDARD_ATTRIBUTE_KINDS,
} from './normalize-attributes.js';

/**
 * Dirty attribute values: given, but not what their attribute should hold. Real data has them
 * (a corrupted birth date, a gender code nobody mapped), and they are accepted: a value normalisation
 * keeps is compared as text, one it cannot use counts as missing. The names of the attributes that
 * held one are what a data team is told, so it can fix the source; never the values, which are
 * personal data.
 */

/** Spellings of "not known": a missing gender said out loud, not a dirty one. */
const UNKNOWN_GENDERS: ReadonlySet<string> = new Set(['u', 'unknown', 'unk', 'na', 'n/a', '?']);

function kindOf(attribute: string, options: NormalizeOptions): AttributeKind {
  return (
    (STANDARD_ATTRIBUTE_KINDS as Record<string, AttributeKind | undefined>)[attribute] ??
    options.attributeKinds?.[attribute] ??
    'code'
  );
}

/**
 * Names of the attributes of a raw record (an event's `attributes`) whose value is dirty, sorted:
 * - a date (`dateOfBirth`) that is not a real calendar date (`1856-86-18`, `1845-00-01`), or is in
 *   no shape normalisation reads (`24/06/1971`, `unknown`): kept as text in the first case,
 *   missing in the second;
 * - a gender normalisation does not recognise (other than a spelled-out "unknown");
 * - any other non-blank value with nothing usable left after normalisation (`---` as a name).
 * Blank and absent values are missing, not dirty; a raw `address` is not read (the name is the
 * derived attribute's). Numbers and booleans count as their text, as matching reads them.
 */
export function attributeWarnings(
  attributes: Readonly<Record<string, unknown>>,
  options: NormalizeOptions = {},
): string[] {
  const dirty: string[] = [];
  for (const [attribute, value] of Object.entries(attributes)) {
    const raw =
      typeof value === 'string'
        ? value
        : typeof value === 'number' || typeof value === 'boolean'
          ? String(value)
          : null;
    if (raw === null || raw.trim() === '' || DERIVED_ATTRIBUTES.includes(attribute)) continue;
    const kind = kindOf(attribute, options);
    const normalized = normalizeValue(kind, raw);
    if (normalized === null) {
      if (kind !== 'gender' || !UNKNOWN_GENDERS.has(raw.trim().toLowerCase()))
        dirty.push(attribute);
    } else if (kind === 'date' && parseIsoDate(normalized)?.epochDay == null) {
      dirty.push(attribute);
    }
  }
  return dirty.sort();
}
