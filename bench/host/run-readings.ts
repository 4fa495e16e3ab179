import { type CpuSnapshot, cpuDelta } from './process-cpu.js';
import { hostSpeed, loadAverage, machineCpu, stealShare, waitForIdle } from './machine-load.js';

/** The machine before a timed run, and what the run cost: the readings every timed run reports. */
export interface RunReadings {
  /** Share of CPU idle over the 2 s before the run: well below 1, something else was running. */
  idleBefore: number;
  /** {@link hostSpeed} just before the run (MB/s); undefined for quiet (untimed) runs. */
  hostBefore: number | undefined;
  /** One-minute load average before the run: above the core count, something else was running. */
  loadBefore: number;
}

/** The readings before a run, and `end()` for what it cost: CPU per process and steal since. */
export type StartedReadings = RunReadings & {
  end(): { cpu: CpuSnapshot; steal: number | undefined };
};

/**
 * Takes the readings before a timed run (waiting first until the machine is `minIdle` idle); `end()`
 * then returns the CPU seconds each process of `cpu` used since, and the steal share meanwhile.
 * A `quiet` run (a warm-up) neither waits nor measures the host.
 */
export async function startReadings(
  cpu: () => CpuSnapshot,
  options: { minIdle: number; quiet?: boolean },
): Promise<StartedReadings> {
  const idleBefore = options.quiet ? 1 : await waitForIdle(options.minIdle);
  const hostBefore = options.quiet ? undefined : hostSpeed();
  const loadBefore = loadAverage();
  const cpuBefore = cpu();
  const machineBefore = machineCpu();
  return {
    idleBefore,
    hostBefore,
    loadBefore,
    end: () => ({
      cpu: cpuDelta(cpuBefore, cpu()),
      steal: stealShare(machineBefore, machineCpu()),
    }),
  };
}
