import { describeSteal } from '../host/machine-load.js';
import { describeCpu } from '../host/process-cpu.js';
import type { PublishedAccuracy } from '../peers/splink-published.js';
import type { SplinkResult } from '../peers/splink-run.js';
import { fmt, median, table } from '../report/result-tables.js';
import type { AccuracySettings } from './accuracy-settings.js';
import type { DatasetResult } from './dataset-run.js';
import type { Timings } from './end-to-end-timings.js';

const f4 = (x: number) => x.toFixed(4);
const prf = (m: { precision: number; recall: number; f1: number }) =>
  `${f4(m.precision)} / ${f4(m.recall)} / ${f4(m.f1)}`;
const secs = (s: number) => `${s.toFixed(1)} s`;
const perRecord = (n: number, records: number) => (n / records).toFixed(1);

/** The settings lines of the report: the service's configuration, training, and Splink's Python. */
export function accuracySettingsLines(settings: AccuracySettings, splinkNote: string | undefined) {
  const { tf } = settings;
  return [
    `service: MATCH_AUTO_THRESHOLD ${settings.threshold}, MATCH_REVIEW_THRESHOLD ${settings.reviewThreshold}, MATCH_MAX_CANDIDATES ${settings.maxCandidates}, ` +
      `${settings.workerProcesses} worker process(es) x WORKER_CONCURRENCY ${settings.workerConcurrency}, ${settings.batchSize} events per POST; ` +
      `warm-up ${fmt(settings.warmupRecords)} synthetic records; training: u from ${fmt(settings.uMaxPairs)} random pairs; term frequencies in the model file: ${tf === 'all' ? 'every value' : tf === 'none' ? 'none' : `values of >= ${tf} records`}`,
    splinkNote ? `splink: ${splinkNote}` : 'splink: not run',
  ];
}

/** What Splink found on a data set with a settings variant. */
type SplinkOf = (dataset: string, variant: 'published' | 'matched') => SplinkResult | undefined;

/** The accuracy runs' part of the report: accuracy and times per data set, then the details. */
export function datasetSections(
  results: readonly DatasetResult[],
  splinkOf: SplinkOf,
  published: ReadonlyMap<string, PublishedAccuracy | undefined>,
  threshold: number,
): string[] {
  if (results.length === 0) return [];
  return [
    `Pairwise P / R / F1 at match probability >= ${threshold}; "persons" = every pair inside one resolved person. Times: idgraph = training + ingest + lookups (service start excluded), Splink = the whole Python process.`,
    accuracyTable(results, splinkOf, published),
    'Details:',
    detailsTable(results, splinkOf),
  ];
}

function accuracyTable(
  results: readonly DatasetResult[],
  splinkOf: SplinkOf,
  published: ReadonlyMap<string, PublishedAccuracy | undefined>,
): string {
  return table(
    [
      'data set',
      'records',
      'idgraph links P / R / F1',
      'idgraph persons F1',
      'Splink P / R / F1',
      'Splink persons F1',
      'Splink published F1',
      'idgraph end to end (train + ingest + resolve)',
      'Splink time',
      'records/s',
    ],
    results.map((r) => {
      const s = splinkOf(r.dataset, 'published');
      const p = published.get(r.dataset);
      return [
        r.dataset,
        fmt(r.records),
        prf(r.links),
        f4(r.personsMetrics.f1),
        s ? prf(s) : '-',
        s ? f4(s.clustered.f1) : '-',
        p ? f4(p.f1) : '-',
        `${secs(r.totalSeconds)} (${r.trainSeconds.toFixed(1)} + ${r.ingest.seconds.toFixed(1)} + ${r.resolveSeconds.toFixed(1)}; links read back ${r.lookupSeconds.toFixed(1)})`,
        s ? secs(s.wallSeconds) : '-',
        fmt(r.ingest.recordsPerSecond),
      ];
    }),
  );
}

function detailsTable(results: readonly DatasetResult[], splinkOf: SplinkOf): string {
  return table(
    [
      'data set',
      'offline, same model: links / clustered F1',
      'link pairs: both / service only / offline only',
      'Splink matched settings: F1 / persons F1',
      'Splink training + prediction',
      'service start',
      'per record: candidates / scored (service); candidates (offline)',
      'links by method',
      'invalid dobs',
      'CPU ms per 1000 records (ingest)',
    ],
    results.map((r) => {
      const m = splinkOf(r.dataset, 'matched');
      const s = splinkOf(r.dataset, 'published');
      return [
        r.dataset,
        `${f4(r.offline.links.f1)} / ${f4(r.offline.clustered.f1)}`,
        `${r.overlapWithOffline.both} / ${r.overlapWithOffline.serviceOnly} / ${r.overlapWithOffline.offlineOnly}`,
        m ? `${f4(m.f1)} / ${f4(m.clustered.f1)}` : '-',
        s ? `${secs(s.seconds)}${m ? ` (matched ${secs(m.seconds)})` : ''}` : '-',
        secs(r.serviceStartSeconds),
        `${perRecord(r.ingest.matching.candidates, r.records)} / ${perRecord(r.ingest.matching.scored, r.records)}; ${r.offline.candidatesPerRecord.mean.toFixed(1)}`,
        Object.entries(r.linksByMethod)
          .map(([k, v]) => `${k} ${v}`)
          .join(', ') || 'none',
        String(r.invalidDates),
        describeCpu(r.ingest.cpu, r.records),
      ];
    }),
  );
}

/** The end-to-end timings over --repeats runs (nothing with one run). */
export function timingsSections(
  results: readonly DatasetResult[],
  timings: ReadonlyMap<string, Timings>,
  repeats: number,
): string[] {
  if (repeats <= 1 || results.length === 0) return [];
  const each = (values: readonly number[]) => values.map((v) => v.toFixed(1)).join(' · ');
  return [
    `End to end, ${repeats} runs of each tool, alternating (idgraph: training + ingest + resolve; Splink: the whole process, published settings):`,
    table(
      [
        'data set',
        'idgraph, each run (s)',
        'idgraph median',
        'Splink, each run (s)',
        'Splink median',
        'idgraph / Splink',
        'steal during, idgraph · Splink per run',
        'same links every run',
      ],
      results.map((r) => {
        const t = timings.get(r.dataset)!;
        const ours = median(t.idgraph);
        const theirs = t.splink.length > 0 ? median(t.splink) : undefined;
        return [
          r.dataset,
          each(t.idgraph),
          secs(ours),
          theirs === undefined ? '-' : each(t.splink),
          theirs === undefined ? '-' : secs(theirs),
          theirs === undefined ? '-' : `${(ours / theirs).toFixed(2)}x`,
          t.idgraphSteal
            .map((v, i) => `${describeSteal(v)} · ${describeSteal(t.splinkSteal[i])}`)
            .join(', '),
          t.sameLinks ? 'yes' : 'NO',
        ];
      }),
    ),
  ];
}
