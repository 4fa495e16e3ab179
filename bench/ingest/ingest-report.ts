import { describeHost, describeSteal } from '../host/machine-load.js';
import { describeCpu } from '../host/process-cpu.js';
import { fmt, median, table } from '../report/result-tables.js';
import type { RunResult } from './ingest-run-result.js';

/** Median events/s per layout and ceiling. */
export const medianRates = (results: Record<string, RunResult[]>) =>
  Object.fromEntries(
    Object.entries(results).map(([k, v]) => [k, median(v.map((r) => r.eventsPerSecond))]),
  );

/** One row per layout and ceiling: median and runs, share of each ceiling, CPU, machine readings. */
export function ingestTable(results: Record<string, RunResult[]>, events: number): string {
  const medians = medianRates(results);
  const ratio = (label: string, ceiling: string) =>
    medians[ceiling] && !label.startsWith('ceiling')
      ? `${fmt((100 * medians[label]!) / medians[ceiling])} %`
      : '';
  const medianCpu = (list: RunResult[]) => {
    const keys = Object.keys(list[0]?.cpu ?? {});
    return Object.fromEntries(keys.map((k) => [k, median(list.map((r) => r.cpu[k] ?? 0))]));
  };
  return table(
    [
      'layout',
      'median events/s',
      'runs (events/s)',
      'of ceiling (ids)',
      'of ceiling (ids+links)',
      'CPU ms per 1000 events (median)',
      'tx retries',
      'idle before',
      'host before',
      'steal during',
    ],
    Object.entries(results).map(([label, list]) => [
      label,
      fmt(medians[label]!),
      list.map((r) => fmt(r.eventsPerSecond)).join(' / '),
      ratio(label, 'ceiling: identifiers'),
      ratio(label, 'ceiling: identifiers+links'),
      describeCpu(medianCpu(list), events),
      list.map((r) => r.retries).join(' / '),
      list.map((r) => `${Math.round(r.idleBefore * 100)} %`).join(' / '),
      list.map((r) => describeHost(r.hostBefore)).join(' / '),
      list.map((r) => describeSteal(r.steal)).join(' / '),
    ]),
  );
}
