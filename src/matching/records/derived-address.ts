/**
 * The derived `address` attribute: postcode, city, street and street number of a record packed into
 * one value, so that one comparison sees the whole address and agreeing on one place counts once
 * (a pair on one street of one town agrees on postcode, city and street together; comparing them
 * separately adds those agreements up as if they were independent evidence).
 *
 * It is derived from the normalised parts whenever a record is made (`normalizeRecord`) or read back
 * from the graph (`parseRecordValues`), and never stored: the stored parts are the truth, so a
 * record stored before the attribute existed compares like a new one. A raw attribute named
 * `address` is not used: the name is reserved for the derived value.
 *
 * The value is personal data, like its parts.
 */

export const ADDRESS_ATTRIBUTE = 'address';

/** The parts, in packed order. */
export const ADDRESS_PARTS = ['postcode', 'city', 'street', 'streetNumber'] as const;

/** Attributes the matcher derives from others: never serialised, never taken from raw input. */
export const DERIVED_ATTRIBUTES: readonly string[] = [ADDRESS_ATTRIBUTE];

/** Separates the parts: the unit separator, which normalisation removes from every part. */
const SEPARATOR = '\u001f';

/** Index of each part in {@link AddressParts}. */
export const POSTCODE = 0;
export const CITY = 1;
export const STREET = 2;
export const STREET_NUMBER = 3;

/** The packed parts, in {@link ADDRESS_PARTS} order; '' for a missing part. */
export type AddressParts = readonly [string, string, string, string];

/**
 * The packed address of normalised `values`: `postcode \u001f city \u001f street \u001f
 * streetNumber`, '' for a missing part; null when every part is missing.
 */
export function packAddress(values: Readonly<Record<string, string | null>>): string | null {
  const parts = ADDRESS_PARTS.map((name) => values[name] ?? '');
  return parts.every((part) => part === '') ? null : parts.join(SEPARATOR);
}

/** The parts of a packed address (a value that is not one gives its text as the postcode). */
export function unpackAddress(packed: string): AddressParts {
  const [postcode = '', city = '', street = '', streetNumber = ''] = packed.split(SEPARATOR);
  return [postcode, city, street, streetNumber];
}

/** Sets the derived attributes of normalised `values` (in place), replacing any raw ones. */
export function deriveAttributes(values: Record<string, string | null>): void {
  values[ADDRESS_ATTRIBUTE] = packAddress(values);
}
