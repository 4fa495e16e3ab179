import { fmt, median, table } from '../report/result-tables.js';
import type { LoadResult } from './load-generation.js';

const HEADER = [
  'run',
  'throughput',
  'p50 ms',
  'p99 ms',
  'max ms',
  '404 (unknown)',
  'errors + other non-2xx',
  'CPU ms/req: API / Neo4j / autocannon',
  'log B/req',
  'load avg',
];

const ms = (v: number) => v.toFixed(2);
const cpuMs = (v: number | undefined) => (v === undefined ? '-' : v.toFixed(3));

/** Requests answered with neither 200 nor 404. */
export const otherStatuses = (result: LoadResult) =>
  Object.entries(result.status).filter(([code]) => code !== '200' && code !== '404');

/** One row per run and a median row; throughput in `unit`. */
export function runsTable(list: readonly LoadResult[], unit: string): string {
  const rows = [
    ...list.map((res, i) => {
      const notOk = otherStatuses(res).reduce((n, [, c]) => n + c, 0);
      return [
        `run ${i + 1}`,
        fmt(res.perSecond),
        ms(res.p50),
        ms(res.p99),
        ms(res.max),
        `${fmt(res.status['404'] ?? 0)} (${(((res.status['404'] ?? 0) * 100) / Math.max(1, res.requests)).toFixed(1)} %)`,
        fmt(notOk + res.errors + res.timeouts),
        `${cpuMs(res.cpuMsPerRequest.api)} / ${cpuMs(res.cpuMsPerRequest.neo4j)} / ${cpuMs(res.cpuMsPerRequest.loadGenerator)}`,
        fmt(res.logBytesPerRequest),
        res.loadAverage.toFixed(1),
      ];
    }),
    [
      'median',
      fmt(median(list.map((x) => x.perSecond))),
      ms(median(list.map((x) => x.p50))),
      ms(median(list.map((x) => x.p99))),
      '',
      '',
      '',
      '',
      '',
      '',
    ].map((c, i) => (i === 0 ? `**${c}**` : c)),
  ].map((row) =>
    row.map((c, i) => (i === 1 && c !== '' && !c.startsWith('*') ? `${c} ${unit}` : c)),
  );
  return table(HEADER, rows);
}

/** Median rate and latencies of a scenario's runs. */
export const medians = (list: readonly LoadResult[]) => ({
  perSecond: median(list.map((x) => x.perSecond)),
  p50: median(list.map((x) => x.p50)),
  p99: median(list.map((x) => x.p99)),
});

/** The summary line under the tables. */
export const describeMedians = (summary: {
  get: ReturnType<typeof medians>;
  post: ReturnType<typeof medians>;
}) =>
  `medians: GET ${fmt(summary.get.perSecond)} req/s, p50 ${ms(summary.get.p50)} ms, p99 ${ms(summary.get.p99)} ms; ` +
  `POST ${fmt(summary.post.perSecond, 1)} calls/s, p50 ${ms(summary.post.p50)} ms, p99 ${ms(summary.post.p99)} ms`;
