import type { MultiBar } from 'cli-progress';
import type { Output } from './cli-context.js';
import { formatBytes, formatCount, formatDuration, ratePerSecond } from './format.js';
import { type Progress, type ProgressOptions, startProgressDisplay } from './progress-display.js';

/**
 * Progress of `idgraph ingest` on stderr: a live bar on a terminal, a plain line every few seconds
 * otherwise (logs, CI), or nothing. Rates are events per second. While the file is read, the ETA
 * comes from the bytes read against the file size, the one measure of "how far" known up front;
 * once it is read, from the events still queued and the rate the workers resolve them at.
 */

export interface ProgressSnapshot {
  bytesRead: number;
  totalBytes: number;
  /** Records read so far, valid or not. */
  eventsRead: number;
  /** The whole file has been read. */
  readDone: boolean;
  /** Time spent reading (it stops growing once the file is read). */
  readElapsedMs: number;
  /** Events in batches handed to the queue. */
  enqueued: number;
  /** Events in batches that have finished. */
  resolved: number;
  /** Whether resolution is followed (false with `--no-wait`). */
  following: boolean;
  elapsedMs: number;
}

export interface Estimate {
  /** 0..1 of the file read. */
  fraction: number;
  readPerSecond: number;
  resolvedPerSecond: number;
  /** Milliseconds to read the rest of the file; NaN before anything is read. */
  readEtaMs: number;
  /** Milliseconds until the queued events are resolved, at the rate so far; NaN while unknown. */
  resolveEtaMs: number;
  /** The ETA that matters now: reading while the file is read, then resolving (when followed). */
  etaMs: number;
}

export function estimate(s: ProgressSnapshot): Estimate {
  const fraction = s.totalBytes > 0 ? Math.min(1, s.bytesRead / s.totalBytes) : s.readDone ? 1 : 0;
  const readEtaMs = s.readDone
    ? 0
    : s.bytesRead > 0
      ? (s.readElapsedMs * Math.max(0, s.totalBytes - s.bytesRead)) / s.bytesRead
      : Number.NaN;
  const resolvedPerSecond = ratePerSecond(s.resolved, s.elapsedMs);
  const remaining = Math.max(0, s.enqueued - s.resolved);
  const resolveEtaMs =
    remaining === 0
      ? 0
      : resolvedPerSecond > 0
        ? (remaining * 1000) / resolvedPerSecond
        : Number.NaN;
  return {
    fraction,
    readPerSecond: ratePerSecond(s.eventsRead, s.readElapsedMs),
    resolvedPerSecond,
    readEtaMs,
    resolveEtaMs,
    etaMs: s.readDone && s.following ? resolveEtaMs : readEtaMs,
  };
}

/** The line printed when stderr is not a terminal. */
export function progressLine(s: ProgressSnapshot): string {
  const e = estimate(s);
  const parts = [
    `progress: ${(e.fraction * 100).toFixed(1)}% of ${formatBytes(s.totalBytes)} read`,
    `${formatCount(s.eventsRead)} events (${formatCount(e.readPerSecond)}/s)`,
  ];
  if (s.following) {
    parts.push(
      `resolved ${formatCount(s.resolved)} of ${formatCount(s.enqueued)} (${formatCount(e.resolvedPerSecond)}/s)`,
    );
  }
  parts.push(`ETA ${formatDuration(e.etaMs)}`);
  return parts.join(' | ');
}

/** `idgraph ingest`'s progress display (see progress-display.ts for the modes). */
export function startProgress(
  stderr: Output,
  snapshot: () => ProgressSnapshot,
  options: ProgressOptions,
): Progress {
  return startProgressDisplay(stderr, { snapshot, line: progressLine, bars: ingestBars }, options);
}

/** Two bars: the file read and, when followed, the events resolved. */
function ingestBars(bars: MultiBar, first: ProgressSnapshot): (s: ProgressSnapshot) => void {
  const read = bars.create(
    Math.max(first.totalBytes, 1),
    0,
    {},
    {
      format: 'read      {bar} {percentage}% | {events} events | {rate}/s | ETA {remaining}',
    },
  );
  const resolved = first.following
    ? bars.create(
        0,
        0,
        {},
        {
          format:
            'resolved  {bar} {percentage}% | {done} of {enqueued} events | {rate}/s | ETA {remaining}',
        },
      )
    : undefined;
  return (s) => {
    const e = estimate(s);
    read.update(Math.round(e.fraction * read.getTotal()), {
      events: formatCount(s.eventsRead),
      rate: formatCount(e.readPerSecond),
      remaining: formatDuration(e.readEtaMs),
    });
    if (resolved) {
      resolved.setTotal(s.enqueued);
      resolved.update(s.resolved, {
        done: formatCount(s.resolved),
        enqueued: formatCount(s.enqueued),
        rate: formatCount(e.resolvedPerSecond),
        remaining: s.readDone ? formatDuration(e.resolveEtaMs) : '--',
      });
    }
  };
}
