import type { MultiBar } from 'cli-progress';
import type { Output } from './cli-context.js';
import { formatCount, formatDuration, ratePerSecond } from './format.js';
import { type Progress, type ProgressOptions, startProgressDisplay } from './progress-display.js';

/**
 * Progress of `idgraph model rescore` on stderr, in its two passes: the stale links, then the
 * records, each counted against what the graph held when the rescore began (records ingested
 * meanwhile are scored too, so the count can pass the total). The ETA is the current pass's: the
 * rest of it at the rate so far; during the links the records' pass is still to come, and the line
 * says so rather than guess a rate not yet seen.
 */

export interface RescoreSnapshot {
  phase: 'links' | 'records';
  linksDone: number;
  linksTotal: number;
  /** Time spent on links (it stops growing once the records' pass begins). */
  linksMs: number;
  recordsDone: number;
  recordsTotal: number;
  recordsMs: number;
}

export interface RescoreEstimate {
  linksPerSecond: number;
  recordsPerSecond: number;
  /** Milliseconds to the end of the current pass at its rate so far; NaN while unknown. */
  etaMs: number;
}

const remainingMs = (done: number, total: number, perSecond: number) =>
  done >= total ? 0 : perSecond > 0 ? ((total - done) * 1000) / perSecond : Number.NaN;

export function rescoreEstimate(s: RescoreSnapshot): RescoreEstimate {
  const linksPerSecond = ratePerSecond(s.linksDone, s.linksMs);
  const recordsPerSecond = ratePerSecond(s.recordsDone, s.recordsMs);
  return {
    linksPerSecond,
    recordsPerSecond,
    etaMs:
      s.phase === 'links'
        ? remainingMs(s.linksDone, s.linksTotal, linksPerSecond)
        : remainingMs(s.recordsDone, s.recordsTotal, recordsPerSecond),
  };
}

/** The line printed when stderr is not a terminal. */
export function rescoreProgressLine(s: RescoreSnapshot): string {
  const e = rescoreEstimate(s);
  const links = `links ${formatCount(s.linksDone)} of ${formatCount(s.linksTotal)} (${formatCount(e.linksPerSecond)}/s)`;
  if (s.phase === 'links')
    return `rescore: ${links} | records ${formatCount(s.recordsTotal)} next | ETA ${formatDuration(e.etaMs)} for the links`;
  return `rescore: ${links} | records ${formatCount(s.recordsDone)} of ${formatCount(s.recordsTotal)} (${formatCount(e.recordsPerSecond)}/s) | ETA ${formatDuration(e.etaMs)}`;
}

export function startRescoreProgress(
  stderr: Output,
  snapshot: () => RescoreSnapshot,
  options: ProgressOptions,
): Progress {
  return startProgressDisplay(stderr, { snapshot, line: rescoreProgressLine, bars }, options);
}

/** One bar per pass. */
function bars(multi: MultiBar, first: RescoreSnapshot): (s: RescoreSnapshot) => void {
  const bar = (name: string, total: number) =>
    multi.create(
      Math.max(total, 1),
      0,
      {},
      { format: `${name} {bar} {percentage}% | {count} of {of} | {rate}/s | ETA {remaining}` },
    );
  const links = bar('links  ', first.linksTotal);
  const records = bar('records', first.recordsTotal);
  return (s) => {
    const e = rescoreEstimate(s);
    const show = (
      target: ReturnType<typeof bar>,
      done: number,
      total: number,
      rate: number,
      current: boolean,
    ) => {
      target.setTotal(Math.max(total, done, 1));
      target.update(done, {
        count: formatCount(done),
        of: formatCount(total),
        rate: formatCount(rate),
        remaining: current ? formatDuration(e.etaMs) : done >= total ? '0 s' : '--',
      });
    };
    show(links, s.linksDone, s.linksTotal, e.linksPerSecond, s.phase === 'links');
    show(records, s.recordsDone, s.recordsTotal, e.recordsPerSecond, s.phase === 'records');
  };
}
