import { ExitCode } from './cli-context.js';
import { formatBytes, formatCount, formatDuration, table } from './format.js';
import type { EventFileFormat } from './read-events.js';

/**
 * What `idgraph ingest` reports at the end, as text or as JSON (`--json`), and the exit code it
 * implies. Invariants once every batch has finished:
 * `read = enqueued + invalid` and `enqueued = applied + duplicates + rejectedByResolver + failedEvents`.
 */

export type IngestOutcome = 'completed' | 'enqueued' | 'timed_out' | 'interrupted';

export interface IngestSummary {
  file: string;
  format: EventFileFormat;
  bytes: number;
  outcome: IngestOutcome;
  /** Records read, valid or not. */
  read: number;
  /** Records that are not valid events (reported with their line numbers). */
  invalid: number;
  enqueued: number;
  batches: number;
  /** Whether the run followed its batches to the end (false with `--no-wait`). */
  waited: boolean;
  applied: number;
  duplicates: number;
  /** invalid + rejectedByResolver. */
  rejected: number;
  rejectedByResolver: number;
  /** Identifier values the resolver dropped from events it applied. */
  droppedValues: number;
  /** Attribute values kept as given but not clean, by attribute name. */
  attributeWarnings: Record<string, number>;
  failedBatches: number;
  failedEvents: number;
  pendingBatches: number;
  pendingEvents: number;
  unknownBatches: number;
  /** Batches the queue already held from an earlier run: their outcome is that run's. */
  reusedBatches: number;
  elapsedMs: number;
  eventsPerSecond: number;
  /** Stall limit that ended the wait (`timed_out`), in seconds. */
  timeoutSeconds: number;
  jobIds: string[];
}

export function ingestExitCode(s: IngestSummary): ExitCode {
  if (s.outcome === 'interrupted') return ExitCode.interrupted;
  if (s.outcome === 'timed_out') return ExitCode.timeout;
  if (s.rejected > 0 || s.failedBatches > 0 || s.unknownBatches > 0) return ExitCode.notFound;
  return ExitCode.ok;
}

const plural = (n: number, one: string, many = `${one}s`) =>
  `${formatCount(n)} ${n === 1 ? one : many}`;

export function formatIngestSummary(s: IngestSummary): string {
  const rows: string[][] = [
    ['file', `${s.file} (${s.format}, ${formatBytes(s.bytes)})`],
    [
      'read',
      `${plural(s.read, 'event')}${s.invalid > 0 ? ` (${plural(s.invalid, 'invalid line')})` : ''}`,
    ],
    ['enqueued', `${plural(s.enqueued, 'event')} in ${plural(s.batches, 'batch', 'batches')}`],
  ];
  if (s.waited) {
    rows.push(['applied', formatCount(s.applied)], ['duplicates', formatCount(s.duplicates)]);
    rows.push([
      'rejected',
      s.rejected === 0
        ? '0'
        : `${formatCount(s.rejected)} (${plural(s.invalid, 'invalid line')}, ${formatCount(s.rejectedByResolver)} by the resolver)`,
    ]);
    if (s.droppedValues > 0) {
      rows.push([
        'dropped',
        `${plural(s.droppedValues, 'identifier value')} from events otherwise applied`,
      ]);
    }
    const warned = Object.entries(s.attributeWarnings).sort(([a], [b]) => (a < b ? -1 : 1));
    if (warned.length > 0) {
      rows.push([
        'warnings',
        `${warned.map(([name, n]) => `${formatCount(n)} ${name}`).join(', ')}: kept as given, not clean (compared as text)`,
      ]);
    }
  } else {
    rows.push([
      'rejected',
      `${plural(s.invalid, 'invalid line')} (the resolver's outcome was not waited for)`,
    ]);
  }
  if (s.failedBatches > 0) {
    rows.push([
      'failed',
      `${plural(s.failedBatches, 'batch', 'batches')} (${plural(s.failedEvents, 'event')}) in the dead-letter queue: GET /v1/dead-letters`,
    ]);
  }
  if (s.unknownBatches > 0)
    rows.push([
      'unknown',
      `${plural(s.unknownBatches, 'batch', 'batches')} whose outcome could not be read`,
    ]);
  if (s.outcome === 'timed_out') {
    rows.push([
      'pending',
      `${plural(s.pendingBatches, 'batch', 'batches')} (${plural(s.pendingEvents, 'event')}) still queued: ` +
        `none finished for ${s.timeoutSeconds} s; is a worker consuming the queue?`,
    ]);
  }
  if (s.outcome === 'enqueued') {
    rows.push(['jobs', 'follow them with GET /v1/jobs/{id} (ids with --json)']);
  }
  if (s.outcome === 'interrupted') {
    rows.push(['interrupted', 'stopped on a signal; the batches already enqueued stay queued']);
  }
  if (s.reusedBatches > 0) {
    rows.push([
      'note',
      `${plural(s.reusedBatches, 'batch', 'batches')} had been enqueued before with the same events: counts are from that earlier run`,
    ]);
  }
  rows.push([
    'elapsed',
    `${formatDuration(s.elapsedMs)} (${formatCount(s.eventsPerSecond)} events/s)`,
  ]);
  return `${table(rows)}\n`;
}
