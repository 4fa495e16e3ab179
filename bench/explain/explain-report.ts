import { fmt, table } from '../report/result-tables.js';
import type { ExplainSettings } from './explain-settings.js';
import type { Latencies } from './explain-run.js';
import { percentile } from './explain-run.js';
import type { ExplainWorkload } from './explain-workload.js';

export interface ExplainSummary {
  apiP50: number;
  apiP95: number;
  rawP50: number;
  rawP95: number;
  ratioP50: number;
  ratioP95: number;
}

export function summarise(latencies: Latencies): ExplainSummary {
  const s = {
    apiP50: percentile(latencies.api, 0.5),
    apiP95: percentile(latencies.api, 0.95),
    rawP50: percentile(latencies.raw, 0.5),
    rawP95: percentile(latencies.raw, 0.95),
  };
  return { ...s, ratioP50: s.apiP50 / s.rawP50, ratioP95: s.apiP95 / s.rawP95 };
}

/** The report's body: the person, the latency table and the ratios. */
export function explainSections(
  workload: ExplainWorkload,
  summary: ExplainSummary,
  settings: ExplainSettings,
): string[] {
  const ms = (n: number) => n.toFixed(2);
  return [
    `One person of ${fmt(workload.identifiers)} identifiers and ${fmt(workload.links)} active links: a and b 6 links apart ` +
      `along ${fmt(workload.shortestPaths)} shortest paths (inner layers ${settings.width} wide), ${fmt(settings.extra)} ` +
      `identifiers hanging off the inner layers. ${fmt(settings.requests)} requests each way, one at a time, interleaved.`,
    table(
      ['read', 'p50 ms', 'p95 ms'],
      [
        ['POST /v1/explain (HTTP, 1 API process)', ms(summary.apiP50), ms(summary.apiP95)],
        ['raw Cypher shortestPath (Bolt, bench process)', ms(summary.rawP50), ms(summary.rawP95)],
      ],
    ),
    `API / raw: p50 ${summary.ratioP50.toFixed(2)}, p95 ${summary.ratioP95.toFixed(2)}`,
  ];
}
