import { describe, expect, it } from 'vitest';
import { ExitCode } from '../../src/cli/cli-context.js';
import {
  formatBytes,
  formatCount,
  formatDuration,
  formatPerson,
  printable,
  table,
} from '../../src/cli/format.js';
import {
  formatIngestSummary,
  type IngestSummary,
  ingestExitCode,
} from '../../src/cli/ingest-summary.js';
import { estimate, progressLine, type ProgressSnapshot } from '../../src/cli/progress.js';
import type { PersonView } from '../../src/persons/person-service.js';

describe('formatting', () => {
  it('formats counts, sizes and durations for people', () => {
    expect(formatCount(1234567.4)).toBe('1,234,567');
    expect(formatBytes(999)).toBe('999 B');
    expect(formatBytes(41_234)).toBe('41.2 kB');
    expect(formatBytes(1_300_000_000)).toBe('1.3 GB');
    expect(formatDuration(0)).toBe('0 s');
    expect(formatDuration(850)).toBe('850 ms');
    expect(formatDuration(2_340)).toBe('2.3 s');
    expect(formatDuration(245_000)).toBe('4 min 05 s');
    expect(formatDuration(3_720_000)).toBe('1 h 02 min');
    expect(formatDuration(Number.NaN)).toBe('--');
  });

  it('aligns tables and escapes control characters from data', () => {
    expect(
      table([
        ['a', 'bb'],
        ['ccc', 'd'],
      ]),
    ).toBe('a    bb\nccc  d');
    expect(printable('ok\u001b[31mred\n')).toBe('ok\\u001b[31mred\\u000a');
  });
});

const person: PersonView = {
  id: 'per_survivor',
  requestedId: 'per_survivor',
  status: 'active',
  identifiers: [
    {
      type: 'cookie_id',
      value: 'ck-1',
      confidence: 1,
      sources: ['web'],
      firstSeen: '2026-01-01T00:00:00.000Z',
      lastSeen: '2026-01-02T00:00:00.000Z',
    },
    {
      type: 'email',
      value: 'ann@example.org',
      confidence: 1,
      sources: ['web'],
      firstSeen: '2026-01-01T00:00:00.000Z',
      lastSeen: null,
    },
  ],
  attributes: {},
  mergedFrom: ['per_a', 'per_b'],
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-03T00:00:00.000Z',
};

describe('formatPerson', () => {
  it('prints the fields, an identifier table and the merged ids', () => {
    expect(formatPerson(person)).toBe(
      [
        'person   per_survivor',
        'status   active',
        'created  2026-01-01T00:00:00.000Z',
        'updated  2026-01-03T00:00:00.000Z',
        '',
        'TYPE       VALUE            FIRST SEEN                LAST SEEN',
        'cookie_id  ck-1             2026-01-01T00:00:00.000Z  2026-01-02T00:00:00.000Z',
        'email      ann@example.org  2026-01-01T00:00:00.000Z  -',
        '',
        'merged ids  per_a, per_b',
        '',
      ].join('\n'),
    );
  });

  it('says when the id asked for was merged into the person shown', () => {
    const text = formatPerson({ ...person, requestedId: 'per_a', mergedFrom: [] });
    expect(text).toContain(
      'note     per_a was merged into per_survivor; showing the surviving person',
    );
    expect(text).toContain('merged ids  (none)');
  });
});

const snapshot = (s: Partial<ProgressSnapshot> = {}): ProgressSnapshot => ({
  bytesRead: 250,
  totalBytes: 1000,
  eventsRead: 500,
  readDone: false,
  readElapsedMs: 2000,
  enqueued: 400,
  resolved: 100,
  following: true,
  elapsedMs: 2000,
  ...s,
});

describe('progress', () => {
  it('estimates the time left to read from the bytes read against the file size', () => {
    expect(estimate(snapshot())).toMatchObject({
      fraction: 0.25,
      readPerSecond: 250,
      readEtaMs: 6000,
      etaMs: 6000,
    });
    expect(estimate(snapshot({ bytesRead: 0, eventsRead: 0 })).etaMs).toBeNaN();
  });

  it('estimates the time left to resolve once the file is read', () => {
    const e = estimate(
      snapshot({ bytesRead: 1000, readDone: true, elapsedMs: 4000, resolved: 200 }),
    );
    expect(e).toMatchObject({
      fraction: 1,
      readEtaMs: 0,
      resolvedPerSecond: 50,
      resolveEtaMs: 4000,
      etaMs: 4000,
    });
  });

  it('prints a plain progress line', () => {
    expect(progressLine(snapshot())).toBe(
      'progress: 25.0% of 1.0 kB read | 500 events (250/s) | resolved 100 of 400 (50/s) | ETA 6.0 s',
    );
    expect(progressLine(snapshot({ following: false }))).toBe(
      'progress: 25.0% of 1.0 kB read | 500 events (250/s) | ETA 6.0 s',
    );
  });
});

const summary = (s: Partial<IngestSummary> = {}): IngestSummary => ({
  file: 'events.csv',
  format: 'csv',
  bytes: 41_234,
  outcome: 'completed',
  read: 312,
  invalid: 12,
  enqueued: 300,
  batches: 1,
  waited: true,
  applied: 290,
  duplicates: 5,
  rejected: 17,
  rejectedByResolver: 5,
  droppedValues: 3,
  attributeWarnings: {},
  failedBatches: 0,
  failedEvents: 0,
  pendingBatches: 0,
  pendingEvents: 0,
  unknownBatches: 0,
  reusedBatches: 0,
  elapsedMs: 2300,
  eventsPerSecond: 136,
  timeoutSeconds: 300,
  jobIds: ['b1'],
  ...s,
});

describe('ingest summary', () => {
  it('prints what was read, enqueued, applied and rejected', () => {
    expect(formatIngestSummary(summary())).toBe(
      [
        'file        events.csv (csv, 41.2 kB)',
        'read        312 events (12 invalid lines)',
        'enqueued    300 events in 1 batch',
        'applied     290',
        'duplicates  5',
        'rejected    17 (12 invalid lines, 5 by the resolver)',
        'dropped     3 identifier values from events otherwise applied',
        'elapsed     2.3 s (136 events/s)',
        '',
      ].join('\n'),
    );
  });

  it('counts the attribute values kept as given but not clean, by attribute name', () => {
    const text = formatIngestSummary(summary({ attributeWarnings: { dateOfBirth: 1204 } }));
    expect(text).toMatch(
      /^warnings {4}1,204 dateOfBirth: kept as given, not clean \(compared as text\)$/m,
    );
    expect(formatIngestSummary(summary())).not.toContain('warnings');
  });

  it('explains batches still pending, failed or reused', () => {
    const text = formatIngestSummary(
      summary({
        outcome: 'timed_out',
        pendingBatches: 2,
        pendingEvents: 2000,
        failedBatches: 1,
        failedEvents: 1000,
        reusedBatches: 1,
        timeoutSeconds: 60,
      }),
    );
    expect(text).toContain(
      'pending     2 batches (2,000 events) still queued: none finished for 60 s; is a worker consuming the queue?',
    );
    expect(text).toContain(
      'failed      1 batch (1,000 events) in the dead-letter queue: GET /v1/dead-letters',
    );
    expect(text).toContain(
      'note        1 batch had been enqueued before with the same events: counts are from that earlier run',
    );
  });

  it('does not claim an outcome it did not wait for', () => {
    const text = formatIngestSummary(summary({ outcome: 'enqueued', waited: false }));
    expect(text).not.toContain('applied');
    expect(text).toContain(
      "rejected  12 invalid lines (the resolver's outcome was not waited for)",
    );
  });

  it('exits 0 only when every event was applied or a duplicate', () => {
    expect(ingestExitCode(summary({ rejected: 0, rejectedByResolver: 0, invalid: 0 }))).toBe(
      ExitCode.ok,
    );
    expect(ingestExitCode(summary())).toBe(ExitCode.notFound);
    expect(ingestExitCode(summary({ rejected: 0, failedBatches: 1 }))).toBe(ExitCode.notFound);
    expect(ingestExitCode(summary({ outcome: 'timed_out' }))).toBe(ExitCode.timeout);
    expect(ingestExitCode(summary({ outcome: 'interrupted' }))).toBe(ExitCode.interrupted);
  });
});
