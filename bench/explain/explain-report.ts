import { fmt, table } from '../report/result-tables.js';
import type { ExplainSettings } from './explain-settings.js';
import { type Latencies, percentile } from './explain-run.js';
import type { ExplainPair, ExplainWorkload } from './explain-workload.js';

export interface ExplainSummary {
  pair: string;
  apiP50: number;
  apiP95: number;
  rawP50: number;
  rawP95: number;
  ratioP50: number;
  ratioP95: number;
}

export function summarise(pair: ExplainPair, latencies: Latencies): ExplainSummary {
  const s = {
    apiP50: percentile(latencies.api, 0.5),
    apiP95: percentile(latencies.api, 0.95),
    rawP50: percentile(latencies.raw, 0.5),
    rawP95: percentile(latencies.raw, 0.95),
  };
  return { pair: pair.label, ...s, ratioP50: s.apiP50 / s.rawP50, ratioP95: s.apiP95 / s.rawP95 };
}

/** The report's body: the person, and per pair the latencies and the ratios. */
export function explainSections(
  workload: ExplainWorkload,
  summaries: readonly ExplainSummary[],
  settings: ExplainSettings,
): string[] {
  const ms = (n: number) => n.toFixed(2);
  return [
    `One person of ${fmt(workload.identifiers)} identifiers and ${fmt(workload.links)} active links; pairs 6 links apart: ` +
      `through a braid of ${fmt(workload.shortestPaths)} shortest paths (inner layers ${settings.width} wide; ` +
      `the API weighs at most 1,000), and along a chain; ${fmt(settings.extra)} identifiers hang off the braid. ` +
      `${fmt(settings.requests)} requests each way per pair, one at a time, interleaved. ` +
      `API: POST /v1/explain over HTTP to 1 API process; raw: the shortestPath read over Bolt from the bench process.`,
    table(
      ['pair', 'API p50 ms', 'API p95 ms', 'raw p50 ms', 'raw p95 ms', 'ratio p50', 'ratio p95'],
      summaries.map((s) => [
        s.pair,
        ms(s.apiP50),
        ms(s.apiP95),
        ms(s.rawP50),
        ms(s.rawP95),
        s.ratioP50.toFixed(2),
        s.ratioP95.toFixed(2),
      ]),
    ),
  ];
}
