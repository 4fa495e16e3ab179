import { describeSteal } from '../host/machine-load.js';
import { fmt, table } from '../report/result-tables.js';
import type { ScaleRunResult } from './scale-run.js';

const ms = (n: number) => (Number.isFinite(n) ? n.toFixed(1) : 'n/a');
const ratio = (a: number, b: number) =>
  b > 0 && Number.isFinite(a / b) ? `${fmt(a / b, 2)}x` : 'n/a';

/** The summary table: per worker count, ingest against one worker and lookups under ingest against idle. */
export function scaleTable(results: readonly ScaleRunResult[]): string {
  const one = results.find((r) => r.workers === 1) ?? results[0];
  return table(
    [
      'workers',
      'events/s',
      'vs 1 worker',
      'retries',
      'lookup p50 idle / ingest',
      'p50 ratio',
      'lookup p99 idle / ingest',
      'p99 ratio',
      'partition',
    ],
    results.map((r) => {
      const { idle, ingest } = r.lookups;
      return [
        `${r.workers} x ${r.concurrency}`,
        fmt(r.eventsPerSecond),
        one ? ratio(r.eventsPerSecond, one.eventsPerSecond) : 'n/a',
        String(r.retries),
        `${ms(idle.p50)} / ${ms(ingest.p50)} ms`,
        ratio(ingest.p50, idle.p50),
        `${ms(idle.p99)} / ${ms(ingest.p99)} ms`,
        ratio(ingest.p99, idle.p99),
        r.partition.equalsTruth ? 'truth' : `differs (${r.partition.digest})`,
      ];
    }),
  );
}

/** What each run cost and what the machine did: CPU per 1000 events per process group, lookups answered. */
export function costTable(results: readonly ScaleRunResult[], events: number): string {
  const groups = [...new Set(results.flatMap((r) => Object.keys(r.cpu)))];
  return table(
    [
      'workers',
      ...groups.map((g) => `${g} CPU ms/1000 ev`),
      'lookups sent/answered under ingest',
      'non-200',
      'load before',
      'steal',
    ],
    results.map((r) => {
      const { ingest } = r.lookups;
      const answered = Object.values(ingest.status).reduce((a, b) => a + b, 0);
      const non200 = Object.entries(ingest.status)
        .filter(([code]) => code !== '200')
        .reduce((n, [, c]) => n + c, 0);
      return [
        `${r.workers} x ${r.concurrency}`,
        ...groups.map((g) => (r.cpu[g] === undefined ? '' : fmt((r.cpu[g] * 1e6) / events))),
        `${fmt(ingest.requests + ingest.errors + ingest.skipped)} / ${fmt(answered)}`,
        String(non200 + ingest.errors + ingest.skipped),
        r.loadBefore.toFixed(1),
        describeSteal(r.steal),
      ];
    }),
  );
}
