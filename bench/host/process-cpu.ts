import { readFileSync } from 'node:fs';
import { fmt } from '../report/result-tables.js';

const CLOCK_TICKS_PER_SECOND = 100; // _SC_CLK_TCK: 100 on every Linux architecture Node supports

/**
 * CPU seconds (user + system) a process has used so far, from /proc (Linux only; undefined
 * elsewhere or when the process is gone). On a shared 2-core machine wall time depends on what else
 * runs; CPU time per event does not, so benchmarks report both.
 */
export function processCpuSeconds(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command name (which may itself contain spaces).
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

/** CPU seconds per process (or group of processes) at one moment, by name. */
export type CpuSnapshot = Record<string, number>;

/**
 * CPU seconds used so far by this process (`bench`) and by each named group of processes, in the
 * order given: a group's processes are summed, and a group none of whose processes can be read
 * (not started, or gone) is left out.
 */
export function cpuSnapshot(
  groups: Readonly<Record<string, readonly (number | undefined)[]>>,
): CpuSnapshot {
  const self = process.cpuUsage();
  const snapshot: CpuSnapshot = { bench: (self.user + self.system) / 1e6 };
  for (const [name, pids] of Object.entries(groups))
    for (const pid of pids) {
      const seconds = processCpuSeconds(pid);
      if (seconds !== undefined) snapshot[name] = (snapshot[name] ?? 0) + seconds;
    }
  return snapshot;
}

/** CPU seconds each process used between two snapshots. */
export const cpuDelta = (before: CpuSnapshot, after: CpuSnapshot): CpuSnapshot =>
  Object.fromEntries(Object.keys(after).map((k) => [k, after[k]! - (before[k] ?? 0)]));

/** CPU milliseconds per 1000 units of work (events, records), per process. */
export const describeCpu = (cpu: CpuSnapshot, units: number) =>
  Object.entries(cpu)
    .map(([k, v]) => `${k} ${fmt((1000 * v) / (units / 1000))}`)
    .join(', ');
