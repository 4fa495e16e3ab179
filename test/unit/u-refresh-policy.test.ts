import { describe, expect, it } from 'vitest';
import { refreshDecision, refreshedVersion } from '../../src/matching/refresh/refresh-policy.js';

const HOUR = 3_600_000;
const now = Date.parse('2026-03-10T12:00:00Z');
const settings = { minRecords: 10_000, refreshHours: 24, now };

describe('u refresh schedule', () => {
  it('waits for the minimum of records, then estimates once', () => {
    expect(refreshDecision({ ...settings, records: 9_999 })).toEqual({
      due: false,
      reason: 'too_few_records',
    });
    expect(refreshDecision({ ...settings, records: 10_000 })).toEqual({
      due: true,
      reason: 'first_estimate',
    });
  });

  it('estimates again when the records doubled since the last estimate, however recent', () => {
    const last = { graphRecords: 12_000, estimatedAt: now - HOUR };
    expect(refreshDecision({ ...settings, records: 23_999, last })).toEqual({
      due: false,
      reason: 'up_to_date',
    });
    expect(refreshDecision({ ...settings, records: 24_000, last })).toEqual({
      due: true,
      reason: 'doubled',
    });
  });

  it('estimates again on the schedule when records were added or removed since', () => {
    const last = { graphRecords: 12_000, estimatedAt: now - 24 * HOUR };
    expect(refreshDecision({ ...settings, records: 12_001, last })).toEqual({
      due: true,
      reason: 'schedule',
    });
    expect(refreshDecision({ ...settings, records: 11_000, last })).toEqual({
      due: true,
      reason: 'schedule',
    });
    // Not yet old, or nothing changed: the estimate stands.
    expect(
      refreshDecision({
        ...settings,
        records: 12_001,
        last: { ...last, estimatedAt: now - 23 * HOUR },
      }).due,
    ).toBe(false);
    expect(refreshDecision({ ...settings, records: 12_000, last }).due).toBe(false);
  });

  it('stops estimating when erasures take the graph below the minimum', () => {
    const last = { graphRecords: 12_000, estimatedAt: now - 48 * HOUR };
    expect(refreshDecision({ ...settings, records: 9_000, last }).reason).toBe('too_few_records');
  });
});

describe('refreshed version names', () => {
  it('name the base model and the UTC second of the estimate, and sort by time', () => {
    const first = refreshedVersion('default-person-v2', new Date('2026-03-01T10:15:00.123Z'));
    const later = refreshedVersion('default-person-v2', new Date('2026-03-02T09:00:59Z'));
    expect(first).toBe('default-person-v2+u20260301T101500Z');
    expect(later).toBe('default-person-v2+u20260302T090059Z');
    expect([later, first].sort()).toEqual([first, later]);
  });
});
