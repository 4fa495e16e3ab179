import type { ReplayReport } from '../replay/replay-runner.js';
import { formatCount, formatDuration, table } from './format.js';

/** `idgraph replay`'s summary on stdout: counts only, no identifier values. */
export function formatReplaySummary(report: ReplayReport, target: string): string {
  const d = report.decisions;
  const decision = (k: keyof typeof d) =>
    `${formatCount(d[k].applied)}${d[k].skipped > 0 ? ` (${formatCount(d[k].skipped)} skipped)` : ''}`;
  const rows: string[][] = [
    ['target', target],
    ['events replayed', formatCount(report.events)],
    ['  applied', formatCount(report.applied)],
    ['  duplicates', formatCount(report.duplicates)],
    ['  rejected', formatCount(report.rejected)],
    ['  unreadable', formatCount(report.unreadable)],
    ['suppressed identifiers dropped', formatCount(report.suppressedIdentifiers)],
    ['suppressions copied', formatCount(report.suppressionsCopied)],
    ['batches', formatCount(report.batches)],
    ['merges', formatCount(report.merges)],
    ['refused merges', formatCount(report.refusals)],
    ['review decisions', decision('review')],
    ['constraints', decision('constraint')],
    ['manual merges', decision('manual_link')],
    ['manual withdrawals', decision('withdrawal')],
    ['persons', formatCount(report.persons)],
    ['links', formatCount(report.links)],
    ['identifiers', formatCount(report.identifiers)],
    ['rate', `${formatCount(report.eventsPerSecond)} events/s`],
    ['duration', formatDuration(report.durationMs)],
  ];
  return `${table(rows)}\n`;
}
