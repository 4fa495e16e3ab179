import type { AccuracySettings } from '../accuracy/accuracy-settings.js';
import { describeHost, describeSteal } from '../host/machine-load.js';
import { describeCpu } from '../host/process-cpu.js';
import { fmt, table } from '../report/result-tables.js';
import type { SpeedResult } from './speed-runs.js';

const f4 = (x: number) => x.toFixed(4);
const perRecord = (n: number, records: number) => (n / records).toFixed(1);

/** The speed runs' part of the report: what was run, one row per run, the median and the accuracy. */
export function speedSections(
  speed: SpeedResult,
  settings: Pick<AccuracySettings, 'speedSeed' | 'speedBlocking' | 'speedRuns' | 'speedBatch'>,
): string[] {
  const { preload, population } = speed;
  const { speedBatch } = settings;
  return [
    `Incremental speed: synthetic FEBRL-like population (seed ${settings.speedSeed}), ${settings.speedBlocking} blocking rules, model trained on it with FEBRL3's setup; ` +
      `${fmt(population)} records ingested first, then ${settings.speedRuns} timed runs of ${fmt(speedBatch)} records (half duplicates of persons in the graph, half new persons).`,
    table(
      [
        'run',
        'records in graph before',
        'records/s',
        'seconds',
        'per record: candidates / scored',
        'CPU ms per 1000 records',
        'idle before',
        'host before',
        'steal during',
      ],
      [
        [
          'preload',
          '0',
          fmt(preload.recordsPerSecond),
          preload.seconds.toFixed(2),
          `${perRecord(preload.matching.candidates, population)} / ${perRecord(preload.matching.scored, population)}`,
          describeCpu(preload.cpu, population),
          `${Math.round(preload.idleBefore * 100)} %`,
          describeHost(preload.hostBefore),
          describeSteal(preload.steal),
        ],
        ...speed.runs.map((r, i) => [
          `run ${i + 1}`,
          fmt(r.graphRecordsBefore),
          fmt(r.recordsPerSecond),
          r.seconds.toFixed(2),
          `${perRecord(r.matching.candidates, speedBatch)} / ${perRecord(r.matching.scored, speedBatch)}`,
          describeCpu(r.cpu, speedBatch),
          `${Math.round(r.idleBefore * 100)} %`,
          describeHost(r.hostBefore),
          describeSteal(r.steal),
        ]),
      ],
    ),
    [
      `median records/s over the timed runs: ${fmt(speed.medianRecordsPerSecond)} (target >= 2,000)`,
      `persons over every synthetic record: P ${f4(speed.personsMetrics.precision)} R ${f4(speed.personsMetrics.recall)} F1 ${f4(speed.personsMetrics.f1)}`,
    ].join('\n'),
  ];
}
