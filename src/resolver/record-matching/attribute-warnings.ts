import { normalizeDate, parseIsoDate } from '../../matching/records/normalize-attributes.js';

/**
 * Attribute values a batch keeps as given although they are not clean, named for the job outcome
 * and metrics: attribute names only, never the values (personal data). A date of birth is clean
 * when it normalises to a real calendar date; any other text ("1856-86-18", "1845-00-01",
 * "01/02/1990") is kept and compared as text, and warned about.
 */
export function dirtyAttributes(attributes: Readonly<Record<string, unknown>>): string[] {
  const dirty: string[] = [];
  const date = attributes.dateOfBirth;
  if (typeof date === 'string' && date.trim().length > 0) {
    const normalized = normalizeDate(date);
    if (normalized === null || parseIsoDate(normalized)?.epochDay == null)
      dirty.push('dateOfBirth');
  }
  return dirty;
}

/** Adds a record's dirty attributes to the counts by attribute name. */
export function countWarnings(counts: Record<string, number>, dirty: readonly string[]): void {
  for (const name of dirty) counts[name] = (counts[name] ?? 0) + 1;
}
