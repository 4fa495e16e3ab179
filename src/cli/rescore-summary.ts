import type { RescoreReport } from '../resolver/rescoring/rescore.js';
import { formatCount, formatDuration, printable, ratePerSecond } from './format.js';

/**
 * What `idgraph model rescore` prints when done: what changed, and how fast each pass went. Counts
 * and the model's name only. Pure, so what a person reads is unit-tested.
 */
export function formatRescoreSummary(r: RescoreReport): string {
  const pass = (ms: number, count: number, what: string) =>
    `${what} ${formatDuration(ms)}, ${formatCount(ratePerSecond(count, ms))}/s`;
  return [
    `model ${printable(r.modelVersion)}`,
    `links of older versions: ${formatCount(r.linksChecked)} checked, ${formatCount(r.linksKept)} kept, ${formatCount(r.linksWithdrawn)} withdrawn (${formatCount(r.personsSplit)} persons split)`,
    `records: ${formatCount(r.recordsScored)} scored, ${formatCount(r.pairsScored)} pairs, ${formatCount(r.pairsLinked)} linked, ${formatCount(r.reviewsQueued)} sent to review`,
    ...(r.recordsRefiled > 0
      ? [
          `blocking keys: ${formatCount(r.recordsRefiled)} records filed again under the current rules`,
        ]
      : []),
    `persons merged: ${formatCount(r.merges)}, joins refused: ${formatCount(r.refusals)}`,
    `elapsed: ${formatDuration(r.elapsedMs)} (${pass(r.linksMs, r.linksChecked, 'links')}; ${pass(r.recordsMs, r.recordsScored, 'records')})`,
    '',
  ].join('\n');
}
