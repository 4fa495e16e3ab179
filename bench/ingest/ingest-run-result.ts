import { describeHost, describeSteal } from '../host/machine-load.js';
import { type CpuSnapshot, describeCpu } from '../host/process-cpu.js';
import type { RunReadings, StartedReadings } from '../host/run-readings.js';
import { fmt } from '../report/result-tables.js';

/** One timed run of the ingest benchmark, end to end or of the ceiling. */
export interface RunResult extends RunReadings {
  seconds: number;
  eventsPerSecond: number;
  /** CPU seconds used during the run, per process: neo4j, redis, bench (this process), workers. */
  cpu: CpuSnapshot;
  /** Share of the machine's CPU time the hypervisor took during the run (undefined: unknown). */
  steal: number | undefined;
  /** Transaction functions run again after a deadlock or stale read (batches of this run). */
  retries: number;
}

/** A run's result from its readings, its time and the events it wrote. */
export function runResult(
  readings: StartedReadings,
  seconds: number,
  events: number,
  retries: number,
): RunResult {
  const { idleBefore, hostBefore, loadBefore } = readings;
  return {
    seconds,
    eventsPerSecond: events / seconds,
    ...readings.end(),
    idleBefore,
    hostBefore,
    loadBefore,
    retries,
  };
}

/** The progress line of a run: its rate, and what the machine did around it. */
export function describeRun(result: RunResult, events: number, extra = ''): string {
  return (
    `${fmt(events / result.seconds)} events/s (${result.seconds.toFixed(2)} s; ${extra}${result.retries} transaction retries; ` +
    `idle before ${Math.round(result.idleBefore * 100)} %, load ${result.loadBefore.toFixed(1)}, host ${describeHost(result.hostBefore)}, steal during ${describeSteal(result.steal)}; CPU ms per 1000 events: ${describeCpu(result.cpu, events)})`
  );
}
