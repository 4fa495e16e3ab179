import { describeHost, describeSteal } from '../host/machine-load.js';
import { describeCpu } from '../host/process-cpu.js';
import { fmt, table } from '../report/result-tables.js';
import type { CycleResult } from './rescore-run.js';
import type { RescoreSettings } from './rescore-settings.js';

/** The report's body: one row per timed step, the ratio against its target, what the rescore did. */
export function rescoreSections(result: CycleResult, settings: RescoreSettings): string[] {
  const { ingest, rescore, records } = result;
  const s = rescore.summary;
  const timed = (step: CycleResult['ingest'] | CycleResult['rescore']) => [
    step.seconds.toFixed(2),
    fmt(step.recordsPerSecond),
    describeCpu(step.cpu, records),
    `${Math.round(step.idleBefore * 100)} %`,
    describeHost(step.hostBefore),
    describeSteal(step.steal),
  ];
  return [
    `Synthetic FEBRL-like population (seed ${settings.seed}): ${fmt(records)} records ingested through the service ` +
      `with the built-in model, a model trained on them with \`idgraph model train\`, then \`idgraph model rescore\` with it ` +
      `(its own process; ${settings.rescoreArgs.length > 0 ? settings.rescoreArgs.join(' ') : 'default options'}).`,
    table(
      [
        'step',
        'seconds',
        'records/s',
        'CPU ms per 1000 records',
        'idle before',
        'host before',
        'steal during',
      ],
      [
        [
          `ingest (API + ${settings.workerProcesses}x${settings.workerConcurrency} workers)`,
          ...timed(ingest),
        ],
        ['train (not timed against)', result.trainSeconds.toFixed(2), '', '', '', '', ''],
        ['rescore (whole command)', ...timed(rescore)],
      ],
    ),
    [
      `rescore rate / ingest rate: ${result.ratio.toFixed(2)} (target >= 1)`,
      `rescore: links ${fmt(s.linksChecked)} checked, ${fmt(s.linksKept)} kept, ${fmt(s.linksWithdrawn)} withdrawn ` +
        `(${fmt(s.personsSplit)} persons split); records ${fmt(s.recordsScored)} scored, ${fmt(s.pairsScored)} pairs, ` +
        `${fmt(s.pairsLinked)} linked, ${fmt(s.reviewsQueued)} sent to review; ${fmt(s.merges)} merges, ${fmt(s.refusals)} refused`,
      `ingest: per record ${(ingest.matching.candidates / records).toFixed(1)} candidates, ${(ingest.matching.scored / records).toFixed(1)} pairs scored; ` +
        `${fmt(ingest.matching.matched)} matched, ${fmt(ingest.matching.reviews)} reviews`,
    ].join('\n'),
  ];
}
