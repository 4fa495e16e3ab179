import { describe, expect, it } from 'vitest';
import { growthOf } from '../../bench/soak/soak-report.js';
import type { Sample } from '../../bench/soak/soak-sampler.js';
import { taggedStream } from '../../bench/workloads/tagged-stream.js';

/** Samples every 5 s for `minutes`, each series' value from its function of the second. */
function samples(minutes: number, series: Record<string, (t: number) => number>): Sample[] {
  const out: Sample[] = [];
  for (let t = 5; t <= minutes * 60; t += 5)
    out.push({
      at: t,
      values: Object.fromEntries(Object.entries(series).map(([k, f]) => [k, f(t)])),
    });
  return out;
}

const MiB = 2 ** 20;
/** A garbage-collected heap: climbs 200 MiB over 40 s, falls back to its floor. */
const sawtooth = (floor: (t: number) => number) => (t: number) =>
  floor(t) + ((t % 40) / 40) * 200 * MiB;

describe('the soak benchmark’s growth verdicts', () => {
  const verdicts = (s: Sample[]) =>
    Object.fromEntries(growthOf(s, 120, 600).map((g) => [g.series, g.verdict]));

  it('calls a sawtooth under a steady floor flat, and one whose floor rises a leak', () => {
    const result = verdicts(
      samples(10, {
        'neo4j heap used': sawtooth(() => 400 * MiB),
        'api RSS': sawtooth((t) => 150 * MiB + t * 0.2 * MiB),
      }),
    );
    expect(result).toEqual({ 'neo4j heap used': 'flat', 'api RSS': 'grows' });
  });

  it('flags a counter that climbs in step with time, not one that wanders around a level', () => {
    const result = verdicts(
      samples(10, {
        'redis keys': (t) => 60 + Math.floor(t / 4),
        'backlog (jobs)': (t) => 3 + ((t * 7) % 5),
      }),
    );
    expect(result).toEqual({ 'redis keys': 'grows', 'backlog (jobs)': 'flat' });
  });

  it('leaves the warm-up out: growth that stopped before it ended is flat', () => {
    const result = verdicts(samples(10, { 'worker 1 RSS': (t) => (Math.min(t, 100) + 100) * MiB }));
    expect(result).toEqual({ 'worker 1 RSS': 'flat' });
  });
});

describe('tagged streams', () => {
  it('share no identifier and no event id between tags, and keep no phone number', () => {
    const a = taggedStream(2000, 1, 'base');
    const b = taggedStream(2000, 1, 's1');
    const keys = (s: typeof a) =>
      new Set(s.events.flatMap((e) => e.identifiers.map((i) => `${i.type}:${i.value}`)));
    const [keysA, keysB] = [keys(a), keys(b)];
    expect([...keysA].filter((k) => keysB.has(k))).toEqual([]);
    const idsB = new Set(b.events.map((e) => e.id));
    expect(a.events.filter((e) => idsB.has(e.id))).toEqual([]);
    expect([...keysA].filter((k) => k.startsWith('phone:'))).toEqual([]);
    // The truth names exactly the identifiers the events carry.
    expect(new Set(a.truth.keys())).toEqual(keysA);
  });
});
