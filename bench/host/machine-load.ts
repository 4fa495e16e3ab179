import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { benchLog } from '../harness/bench-log.js';
import { fmt } from '../report/result-tables.js';

/**
 * How busy and how fast the machine is around a timed run. The benchmarks run on shared KVM guests,
 * where other guests and other work change a run's speed; these readings say which runs are
 * comparable.
 */

function cpuTimes(): { idle: number; steal: number; total: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]!; // "cpu  user nice system idle iowait irq softirq steal guest guest_nice"
  // guest and guest_nice are already counted in user and nice.
  const fields = line.trim().split(/\s+/).slice(1, 9).map(Number);
  return {
    idle: (fields[3] ?? 0) + (fields[4] ?? 0),
    steal: fields[7] ?? 0,
    total: fields.reduce((a, b) => a + b, 0),
  };
}

/** The machine's CPU counters now, for {@link stealShare}; undefined when /proc/stat is unreadable. */
export function machineCpu(): { steal: number; total: number } | undefined {
  try {
    return cpuTimes();
  } catch {
    return undefined;
  }
}

/**
 * Share of the machine's CPU time between two {@link machineCpu} readings that the hypervisor gave
 * to other guests (Linux's "steal"). On a shared KVM host it changes within the hour, and a run's
 * speed with it: a run is only comparable with runs at similar steal.
 */
export function stealShare(
  before: ReturnType<typeof machineCpu>,
  after: ReturnType<typeof machineCpu>,
): number | undefined {
  if (!before || !after) return undefined;
  const total = after.total - before.total;
  return total > 0 ? (after.steal - before.steal) / total : undefined;
}

/** Runs `work`, and returns its result with the machine's steal share while it ran. */
export async function measuringSteal<T>(work: () => Promise<T>): Promise<[T, number | undefined]> {
  const before = machineCpu();
  const result = await work();
  return [result, stealShare(before, machineCpu())];
}

/**
 * The host's speed now: MB/s of SHA-256 over a fixed buffer on one core, taken over `ms`. What a
 * KVM guest gets done per CPU second drifts over hours, and steal does not show all of it. Taken
 * while the machine is idle, just before a timed run, so that runs can be compared with runs at a
 * similar figure.
 */
export function hostSpeed(ms = 500): number {
  const buffer = Buffer.alloc(64 * 1024, 7);
  let bytes = 0;
  const started = performance.now();
  while (performance.now() - started < ms) {
    for (let i = 0; i < 16; i++) createHash('sha256').update(buffer).digest();
    bytes += 16 * buffer.length;
  }
  return bytes / 1e6 / ((performance.now() - started) / 1000);
}

/** A {@link hostSpeed} reading as the benchmarks print it. */
export const describeHost = (mbPerSecond: number | undefined) =>
  mbPerSecond === undefined ? 'n/a' : `${fmt(mbPerSecond)} MB/s`;

/** A steal share as the benchmarks print it. */
export const describeSteal = (share: number | undefined) =>
  share === undefined ? 'n/a' : `${Math.round(share * 100)} %`;

/**
 * Share of the machine's CPU time that was idle over the next `ms` milliseconds (Linux; 1 when
 * /proc/stat is unreadable). Between runs the benchmark's own services are idle, so a low value
 * means something else is running.
 */
export async function cpuIdleFraction(ms = 2000): Promise<number> {
  try {
    const before = cpuTimes();
    await new Promise((r) => setTimeout(r, ms));
    const after = cpuTimes();
    const total = after.total - before.total;
    return total > 0 ? (after.idle - before.idle) / total : 1;
  } catch {
    return 1;
  }
}

/**
 * Waits (up to `maxMs`) until the machine is at least `minIdle` idle, measured over 2 s; returns the
 * last idle share seen. For shared machines: results taken while others run are not comparable.
 */
export async function waitForIdle(minIdle: number, maxMs = 300_000): Promise<number> {
  const deadline = Date.now() + maxMs;
  let idle = await cpuIdleFraction();
  let warned = false;
  while (idle < minIdle && Date.now() < deadline) {
    if (!warned)
      benchLog(
        `machine only ${Math.round(idle * 100)} % idle; waiting for ${Math.round(minIdle * 100)} % (at most ${maxMs / 1000} s)`,
      );
    warned = true;
    idle = await cpuIdleFraction(5000);
  }
  if (idle < minIdle) benchLog(`still only ${Math.round(idle * 100)} % idle; running anyway`);
  return idle;
}

/** One-minute load average: above the core count, something else competes for the CPU. */
export const loadAverage = () => loadavg()[0]!;
