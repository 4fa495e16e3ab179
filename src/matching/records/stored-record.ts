import { parseRecordValues } from '../record-matcher.js';
import type { MatchRecord } from './normalize-attributes.js';

/**
 * A stored record as training reads it, or undefined when its values are not the JSON object of
 * strings the resolver writes (a graph edited by hand): such a record is skipped, not a reason to
 * stop. `idgraph model train` and the u refresh read records with it.
 */
export function storedRecord(
  key: string,
  source: unknown,
  values: unknown,
): MatchRecord | undefined {
  if (typeof values !== 'string') return undefined;
  try {
    const record = parseRecordValues(key, typeof source === 'string' ? source : '', values);
    if (typeof record.values !== 'object' || record.values === null || Array.isArray(record.values))
      return undefined;
    const ok = Object.values(record.values).every((v) => v === null || typeof v === 'string');
    return ok ? record : undefined;
  } catch {
    return undefined;
  }
}

/** A stored record as the record reads return it. */
export interface StoredRecordRow {
  readonly key: string;
  readonly source: unknown;
  readonly values: unknown;
  readonly linking: boolean | null;
}

/**
 * Appends the records of `rows` that training may learn from to `into`, and says how many it
 * skipped: a record whose event refused identity_linking is not matched, nor used to learn
 * matching; one whose values do not parse is skipped too.
 */
export function collectTrainingRecords(
  rows: readonly StoredRecordRow[],
  into: MatchRecord[],
): number {
  let skipped = 0;
  for (const row of rows) {
    const record =
      row.linking === false ? undefined : storedRecord(row.key, row.source, row.values);
    if (record) into.push(record);
    else skipped += 1;
  }
  return skipped;
}
