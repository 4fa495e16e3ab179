import { describeHost, describeSteal } from '../host/machine-load.js';
import { type CpuSnapshot, describeCpu } from '../host/process-cpu.js';
import type { RunReadings } from '../host/run-readings.js';
import { fmt, table } from '../report/result-tables.js';
import type { BuiltPerson, PageReads } from './history-run.js';

/** Nearest-rank percentile. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** The report's body: what the history holds, the latency table, the ratios, the machine. */
export function historySections(
  person: BuiltPerson,
  reads: readonly PageReads[],
  readings: RunReadings & { cpu: CpuSnapshot; steal: number | undefined },
): string[] {
  const total = Object.values(person.kinds).reduce((a, b) => a + b, 0);
  const ms = (v: number) => v.toFixed(1);
  return [
    `The person's history: ${fmt(total)} items (` +
      Object.entries(person.kinds)
        .map(([kind, n]) => `${kind} ${fmt(n)}`)
        .join(', ') +
      `); built through the service in ${person.buildSeconds.toFixed(1)} s.`,
    table(
      ['page', 'items', 'read', 'p50 ms', 'p95 ms'],
      reads.flatMap((r) => [
        [
          r.page,
          String(r.items),
          'GET /v1/persons/{id}/history',
          ms(percentile(r.api, 50)),
          ms(percentile(r.api, 95)),
        ],
        [
          r.page,
          String(r.items),
          'raw read/person-history-page',
          ms(percentile(r.raw, 50)),
          ms(percentile(r.raw, 95)),
        ],
      ]),
    ),
    reads
      .map(
        (r) =>
          `${r.page} page: API p50 / raw p50 = ${(percentile(r.api, 50) / percentile(r.raw, 50)).toFixed(2)}, ` +
          `p95 / p95 = ${(percentile(r.api, 95) / percentile(r.raw, 95)).toFixed(2)}`,
      )
      .join('\n'),
    `Timed reads: idle before ${Math.round(readings.idleBefore * 100)} %, host ${describeHost(readings.hostBefore)}, ` +
      `load ${readings.loadBefore.toFixed(1)}, steal ${describeSteal(readings.steal)}; CPU ${describeCpu(readings.cpu, 1000)}`,
  ];
}
