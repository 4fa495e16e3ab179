import { fmt, table } from '../report/result-tables.js';
import type { PhaseStats } from '../scale/lookup-pacer.js';
import type { Sample } from './soak-sampler.js';

/** How one series moved after the warm-up. */
export interface Growth {
  series: string;
  /** Fitted value at the end of the warm-up and at the end of the soak. */
  from: number;
  to: number;
  /** Least-squares slope per minute, and the fit's R². */
  perMinute: number;
  r2: number;
  /** The fitted growth over the measured minutes as a share of the series' mean. */
  share: number;
  verdict: 'flat' | 'grows' | 'falls';
}

/** Growth beyond this share of the mean over the measured window, with a fit this good, is flagged. */
const GROWTH_SHARE = 0.05;
const MIN_R2 = 0.5;

/**
 * Memory series move in sawtooth (garbage collection, allocator arenas): their lower envelope, the
 * minimum of each window, is what a leak raises. Counters (keys, backlog) are fitted as they are.
 */
const ENVELOPED = /RSS|heap|used_memory/;

function fit(points: readonly { x: number; y: number }[]) {
  const n = points.length;
  const mx = points.reduce((s, p) => s + p.x, 0) / n;
  const my = points.reduce((s, p) => s + p.y, 0) / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (const p of points) {
    sxy += (p.x - mx) * (p.y - my);
    sxx += (p.x - mx) ** 2;
    syy += (p.y - my) ** 2;
  }
  const slope = sxx === 0 ? 0 : sxy / sxx;
  const r2 = sxx === 0 || syy === 0 ? 0 : (sxy * sxy) / (sxx * syy);
  return { slope, intercept: my - slope * mx, r2, mean: my };
}

/** Minimum of each window of `windowSeconds`, placed at the window's middle. */
function lowerEnvelope(points: readonly { x: number; y: number }[], windowSeconds: number) {
  const windows = new Map<number, { x: number; y: number }>();
  for (const p of points) {
    const w = Math.floor(p.x / windowSeconds);
    const seen = windows.get(w);
    if (!seen || p.y < seen.y) windows.set(w, { x: (w + 0.5) * windowSeconds, y: p.y });
  }
  return [...windows.values()];
}

/** Each series' growth over the samples taken after `fromSeconds`. */
export function growthOf(
  samples: readonly Sample[],
  fromSeconds: number,
  toSeconds: number,
): Growth[] {
  const measured = samples.filter((s) => s.at >= fromSeconds);
  const names = [...new Set(measured.flatMap((s) => Object.keys(s.values)))];
  // At least three windows, each at least three samples apart (at 5 s samples: 15 s or more).
  const spacing =
    measured.length > 1 ? (measured.at(-1)!.at - measured[0]!.at) / (measured.length - 1) : 1;
  const windowSeconds = Math.max(3 * spacing, (toSeconds - fromSeconds) / 10);
  return names.flatMap((series) => {
    const raw = measured
      .filter((s) => s.values[series] !== undefined)
      .map((s) => ({ x: s.at, y: s.values[series]! }));
    const points = ENVELOPED.test(series) ? lowerEnvelope(raw, windowSeconds) : raw;
    if (points.length < 3) return [];
    const { slope, intercept, r2, mean } = fit(points);
    const from = intercept + slope * fromSeconds;
    const to = intercept + slope * toSeconds;
    const share = mean === 0 ? 0 : (to - from) / mean;
    const significant = r2 >= MIN_R2 && Math.abs(share) > GROWTH_SHARE;
    return [
      {
        series,
        from,
        to,
        perMinute: slope * 60,
        r2,
        share,
        verdict: !significant ? 'flat' : share > 0 ? 'grows' : 'falls',
      },
    ];
  });
}

const isBytes = (series: string) => ENVELOPED.test(series);
const value = (series: string, n: number) =>
  isBytes(series) ? `${fmt(n / 2 ** 20, 1)} MiB` : fmt(n, n < 100 ? 1 : 0);

/** The growth table: per series its fitted start and end, slope per minute and hour, verdict. */
export function growthTable(growth: readonly Growth[]): string {
  return table(
    ['series', 'after warm-up', 'at the end', 'per minute', 'per hour', 'R²', 'verdict'],
    growth.map((g) => [
      g.series,
      value(g.series, g.from),
      value(g.series, g.to),
      value(g.series, g.perMinute),
      value(g.series, g.perMinute * 60),
      g.r2.toFixed(2),
      g.verdict === 'grows'
        ? `GROWS (+${fmt(g.share * 100)} %)`
        : g.verdict === 'falls'
          ? `falls (${fmt(g.share * 100)} %)`
          : 'flat',
    ]),
  );
}

/** Lookup latency per minute of the soak: a latency that climbs is a leak's other symptom. */
export function latencyTable(phases: Record<string, PhaseStats>): string {
  const minutes = Object.keys(phases)
    .filter((k) => /^minute \d+$/.test(k))
    .sort((a, b) => Number(a.split(' ')[1]) - Number(b.split(' ')[1]));
  return table(
    ['minute', 'lookups', 'p50 ms', 'p99 ms', 'max ms', 'non-200'],
    minutes.map((m) => {
      const p = phases[m]!;
      const non200 = Object.entries(p.status)
        .filter(([code]) => code !== '200')
        .reduce((n, [, c]) => n + c, 0);
      return [
        m.split(' ')[1]!,
        fmt(p.requests),
        p.p50.toFixed(1),
        p.p99.toFixed(1),
        p.max.toFixed(1),
        String(non200 + p.errors + p.skipped),
      ];
    }),
  );
}
