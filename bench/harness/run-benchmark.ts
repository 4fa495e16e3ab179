import { relative } from 'node:path';
import { REPO_ROOT } from '../../scripts/local-services.mjs';
import { describeMachine, machineInfo } from '../host/machine-info.js';
import { saveResults } from '../report/results-file.js';
import type { BenchServices } from '../services/bench-services.js';
import { createProcessGroup, type ProcessGroup } from '../services/process-group.js';
import { benchLog } from './bench-log.js';

/** What a benchmark's main gets from {@link runBenchmark}. */
export interface BenchmarkRun {
  /** Every child process the benchmark starts: killed when the run fails or is interrupted. */
  readonly processes: ProcessGroup;
  /** Aborted on SIGINT / SIGTERM, for work that can abort a start in progress. */
  readonly signal: AbortSignal;
  /**
   * Registers something the run started, to stop once the run ends however it ends (report
   * written, failure, SIGINT / SIGTERM): the last registered is stopped first, as resources that
   * depend on each other are opened in order.
   */
  onStop(stop: () => unknown): void;
}

/** What a benchmark reports; {@link runBenchmark} prints it and saves it. */
export interface BenchmarkReport {
  /** The report's first line. */
  title: string;
  /** The Neo4j the run used: external or the launcher's (machine description), and its memory. */
  services: Pick<BenchServices, 'external' | 'neo4jMemory'>;
  /** Lines under the machine description: the settings the results depend on. */
  settings: readonly string[];
  /** The report's body, blocks of text and tables in order (empty blocks are left out). */
  sections: readonly string[];
  /** Saved after the command, the machine and Neo4j's memory in bench/.results/<name>-<time>.json. */
  results: Record<string, unknown>;
}

const SIGNAL_NUMBERS = { SIGINT: 2, SIGTERM: 15 } as const;

/**
 * The one way every benchmark ends. Runs `main`, then prints its report under the command and the
 * machine description, saves it as bench/.results/<name>-<time>.json and stops what the run
 * registered; exits 0. On a failure: prints it, kills the run's processes, stops the rest and exits
 * 1. On SIGINT / SIGTERM: the same, exiting 128 + the signal's number. A run's services are
 * stopped before it exits, and it exits even if a client left a handle open.
 */
export function runBenchmark(
  name: string,
  main: (run: BenchmarkRun) => Promise<BenchmarkReport>,
): void {
  const startedAt = new Date();
  const command = `npm run bench -- ${[name, ...process.argv.slice(2)].join(' ')}`;
  const processes = createProcessGroup();
  const aborter = new AbortController();
  const stops: (() => unknown)[] = [];
  let state: 'running' | 'ending' | 'interrupted' = 'running';
  /** Whether a signal is ending the run (set by the handler, which then exits on its own). */
  const interrupted = () => state === 'interrupted';

  /** Runs every registered stop once, last first; a stop that fails does not keep the others from running. */
  const stopAll = async (kill: boolean) => {
    if (kill) processes.killAll();
    for (const stop of stops.splice(0).reverse()) {
      try {
        await stop();
      } catch (error) {
        benchLog(`while stopping: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    processes.killAll();
  };

  for (const signal of ['SIGINT', 'SIGTERM'] as const)
    process.on(signal, () => {
      if (state !== 'running') return;
      state = 'interrupted';
      benchLog(`${signal}: stopping`);
      aborter.abort();
      void stopAll(true).finally(() => process.exit(128 + SIGNAL_NUMBERS[signal]));
    });

  const run: BenchmarkRun = {
    processes,
    signal: aborter.signal,
    onStop: (stop) => stops.push(stop),
  };
  void (async () => {
    try {
      const report = await main(run);
      if (interrupted()) return;
      state = 'ending';
      writeReport(name, command, startedAt, report);
      await stopAll(false);
      process.exit(0);
    } catch (error) {
      if (interrupted()) return;
      state = 'ending';
      process.stderr.write(
        `bench ${name} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
      );
      await stopAll(true);
      process.exit(1);
    }
  })();
}

function writeReport(
  name: string,
  command: string,
  startedAt: Date,
  report: BenchmarkReport,
): void {
  const machine = machineInfo(report.services, startedAt);
  const memory = report.services.neo4jMemory;
  const lines = [
    '',
    report.title,
    '',
    `command: ${command}`,
    describeMachine(machine),
    ...(memory ? [`neo4j memory: heap ${memory.heap}, page cache ${memory.pageCache}`] : []),
    ...report.settings,
    '',
    report.sections.filter((s) => s.length > 0).join('\n\n'),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  const file = saveResults(name, { command, machine, neo4jMemory: memory, ...report.results });
  benchLog(`results saved to ${relative(REPO_ROOT, file)}`);
}
