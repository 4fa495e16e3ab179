import type { MultiBar } from 'cli-progress';
import type { ReplayProgress } from '../replay/replay-runner.js';
import { formatCount, formatDuration, ratePerSecond } from './format.js';
import type { ProgressView } from './progress-display.js';

/**
 * Progress of `idgraph replay` on stderr: the events replayed against those the source's log held
 * when the replay began, their rate, and the ETA at that rate.
 */

function estimate(s: ReplayProgress): { perSecond: number; etaMs: number } {
  const perSecond = ratePerSecond(s.eventsDone, s.elapsedMs);
  const left = Math.max(0, s.eventsTotal - s.eventsDone);
  return {
    perSecond,
    etaMs: left === 0 ? 0 : perSecond > 0 ? (left * 1000) / perSecond : Number.NaN,
  };
}

/** The line printed when stderr is not a terminal. */
export function replayProgressLine(s: ReplayProgress): string {
  const e = estimate(s);
  return `replay: ${formatCount(s.eventsDone)} of ${formatCount(s.eventsTotal)} events (${formatCount(e.perSecond)}/s) | ${formatCount(s.batches)} batches | ETA ${formatDuration(e.etaMs)}`;
}

/** What the display shows of a replay: its line and its one bar (progress-display.ts). */
export const replayProgressView = (
  snapshot: () => ReplayProgress,
): ProgressView<ReplayProgress> => ({
  snapshot,
  line: replayProgressLine,
  bars,
});

function bars(multi: MultiBar, first: ReplayProgress): (s: ReplayProgress) => void {
  const bar = multi.create(
    Math.max(first.eventsTotal, 1),
    0,
    {},
    { format: 'replay {bar} {percentage}% | {done} of {of} events | {rate}/s | ETA {remaining}' },
  );
  return (s) => {
    const e = estimate(s);
    bar.setTotal(Math.max(s.eventsTotal, s.eventsDone, 1));
    bar.update(s.eventsDone, {
      done: formatCount(s.eventsDone),
      of: formatCount(s.eventsTotal),
      rate: formatCount(e.perSecond),
      remaining: formatDuration(e.etaMs),
    });
  };
}
