import type { MultiBar } from 'cli-progress';
import type { Output } from './cli-context.js';
import { formatBytes, formatCount, formatDuration, ratePerSecond } from './format.js';
import { type Progress, type ProgressOptions, startProgressDisplay } from './progress-display.js';

/**
 * Progress of `idgraph export` on stderr (never stdout: it carries the export): rows written against
 * the total counted when the export began (identifiers, or links with `--links`), their rate, the
 * bytes written, and the ETA at the rate so far. Rows written meanwhile may pass the total.
 */

export interface ExportSnapshot {
  /** `identifiers` or `links`: what the rows are. */
  what: string;
  rows: number;
  total: number;
  bytes: number;
  elapsedMs: number;
}

export function exportEstimate(s: ExportSnapshot) {
  const perSecond = ratePerSecond(s.rows, s.elapsedMs);
  const etaMs =
    s.rows >= s.total ? 0 : perSecond > 0 ? ((s.total - s.rows) * 1000) / perSecond : Number.NaN;
  return { perSecond, etaMs, fraction: s.total > 0 ? Math.min(1, s.rows / s.total) : 0 };
}

/** The line printed when stderr is not a terminal (with `--progress`). */
export function exportProgressLine(s: ExportSnapshot): string {
  const e = exportEstimate(s);
  return (
    `export: ${formatCount(s.rows)} of ${formatCount(s.total)} ${s.what} (${(e.fraction * 100).toFixed(1)}%)` +
    ` | ${formatCount(e.perSecond)}/s | ${formatBytes(s.bytes)} | ETA ${formatDuration(e.etaMs)}`
  );
}

export function startExportProgress(
  stderr: Output,
  snapshot: () => ExportSnapshot,
  options: ProgressOptions,
): Progress {
  return startProgressDisplay(stderr, { snapshot, line: exportProgressLine, bars }, options);
}

function bars(multi: MultiBar, first: ExportSnapshot): (s: ExportSnapshot) => void {
  const bar = multi.create(
    Math.max(first.total, 1),
    0,
    {},
    {
      format: `${first.what.padEnd(11)} {bar} {percentage}% | {count} of {of} | {rate}/s | {bytes} | ETA {remaining}`,
    },
  );
  return (s) => {
    const e = exportEstimate(s);
    bar.setTotal(Math.max(s.total, s.rows, 1));
    bar.update(s.rows, {
      count: formatCount(s.rows),
      of: formatCount(s.total),
      rate: formatCount(e.perSecond),
      bytes: formatBytes(s.bytes),
      remaining: formatDuration(e.etaMs),
    });
  };
}
