/**
 * When u is estimated again from the graph's records, and what the version it makes is called. Pure,
 * so the schedule is unit-tested.
 *
 * An estimate is due once the graph holds `minRecords` records and then whenever the records have
 * doubled since the last estimate (a young graph changes fast: at 10,000, 20,000, 40,000 … records),
 * and on a schedule: when the last estimate is `refreshHours` old and the record count changed since
 * (records added, or erased: the next estimate no longer counts the erased values). A graph that did
 * not change keeps its version, whose estimate would only differ by chance.
 */

export interface RefreshInputs {
  /** Records the graph holds now. */
  readonly records: number;
  readonly minRecords: number;
  readonly refreshHours: number;
  /** The last estimate: the records the graph held then, and when it was made (ms). */
  readonly last?: { readonly graphRecords: number; readonly estimatedAt: number };
  readonly now: number;
}

export type RefreshReason =
  /** Due: no estimate yet for this build's model. */
  | 'first_estimate'
  /** Due: twice the records of the last estimate. */
  | 'doubled'
  /** Due: the last estimate is old and the records changed since. */
  | 'schedule'
  /** Not due: fewer records than the minimum. */
  | 'too_few_records'
  /** Not due: the last estimate still stands. */
  | 'up_to_date';

export interface RefreshDecision {
  readonly due: boolean;
  readonly reason: RefreshReason;
}

export function refreshDecision(inputs: RefreshInputs): RefreshDecision {
  const { records, last } = inputs;
  if (records < inputs.minRecords) return { due: false, reason: 'too_few_records' };
  if (last === undefined) return { due: true, reason: 'first_estimate' };
  if (records >= 2 * last.graphRecords) return { due: true, reason: 'doubled' };
  const old = inputs.now - last.estimatedAt >= inputs.refreshHours * 3_600_000;
  if (old && records !== last.graphRecords) return { due: true, reason: 'schedule' };
  return { due: false, reason: 'up_to_date' };
}

/**
 * The version of a model whose u were estimated at `at`: `<base>+u<UTC time to the second>`, e.g.
 * `default-person-v3+u20260301T101500Z`. The base names the comparisons, m and lambda, which a
 * refresh keeps; the suffix says that the u (and term frequencies) are an estimate, and when it was
 * made. Versions of one base sort by time, and name no data.
 */
export function refreshedVersion(base: string, at: Date): string {
  return `${base}+u${at
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z')}`;
}
