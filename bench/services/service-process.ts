import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { freePort, REPO_ROOT } from '../../scripts/local-services.mjs';
import type { ProcessGroup } from './process-group.js';

/** A service process (`src/main.ts --api` or `--worker`) a benchmark started. */
export interface ServiceProcess {
  readonly name: string;
  readonly child: ChildProcess;
  /** The API's base URL (undefined for a worker). */
  readonly url: string | undefined;
  /**
   * Warnings and errors the process logged (JSON log lines at level >= 40, and lines that are not
   * log lines), newest last, at most 50. Empty when the output goes to a log file.
   */
  readonly problems: string[];
}

/** A JSON log line of the service, as far as benchmarks read it. */
export interface LogEntry {
  level?: number;
  msg?: string;
  attempts?: number;
}

export interface ServiceProcessOptions {
  /** Node flags before the script, e.g. `--cpu-prof`. */
  nodeFlags?: readonly string[];
  timeoutMs?: number;
  /** Called with every JSON log line of the process. */
  onLogEntry?: (entry: LogEntry) => void;
  /**
   * Appends the process's output to this file instead of reading it: a benchmark that measures the
   * log volume, or whose service logs every request, keeps the parsing out of its own process.
   */
  logFile?: string;
}

const READY_TEXT = { api: 'idgraph ready: ', worker: 'idgraph worker ready' } as const;

/**
 * Starts `src/main.ts --api` or `--worker` as its own process with `env` (an API on a spare port,
 * `PORT`), tracked by `processes`, and waits until it says it is ready. Unless the output goes to a
 * log file, log lines at warn and above go to stderr with the process name and are kept.
 */
export async function startServiceProcess(
  processes: ProcessGroup,
  role: 'api' | 'worker',
  name: string,
  env: Record<string, string>,
  options: ServiceProcessOptions = {},
): Promise<ServiceProcess> {
  const port = role === 'api' ? await freePort() : undefined;
  const args = [...(options.nodeFlags ?? []), '--import', 'tsx', 'src/main.ts', `--${role}`];
  const fd = options.logFile === undefined ? undefined : openSync(options.logFile, 'a');
  const child = spawn(process.execPath, args, {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env, ...(port === undefined ? {} : { PORT: String(port) }) },
    stdio: fd === undefined ? ['ignore', 'pipe', 'pipe'] : ['ignore', fd, fd],
  });
  if (fd !== undefined) closeSync(fd);
  processes.add(child);
  const problems: string[] = [];
  if (fd === undefined) readLogLines(child, name, problems, options.onLogEntry);
  const timeoutMs = options.timeoutMs ?? 90_000;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => finish(new Error(`${name} not ready within ${timeoutMs / 1000} s`)),
      timeoutMs,
    );
    const poll =
      options.logFile === undefined ? undefined : setInterval(checkLogFile, 200, options.logFile);
    let seen = '';
    function finish(error?: Error) {
      clearTimeout(timer);
      clearInterval(poll);
      child.stdout?.off('data', onData);
      child.off('exit', onExit);
      if (error) reject(error);
      else resolve();
    }
    function onData(chunk: Buffer) {
      seen += chunk.toString();
      if (seen.includes(READY_TEXT[role])) finish();
    }
    function checkLogFile(file: string) {
      if (readFileSync(file, 'utf8').includes(READY_TEXT[role])) finish();
    }
    function onExit(code: number | null) {
      finish(
        new Error(
          `${name} exited with ${code} before it was ready${problems.length > 0 ? `:\n  ${problems.join('\n  ')}` : ''}${options.logFile ? `; see ${options.logFile}` : ''}`,
        ),
      );
    }
    child.stdout?.on('data', onData);
    child.once('exit', onExit);
  });
  return {
    name,
    child,
    url: port === undefined ? undefined : `http://127.0.0.1:${port}`,
    problems,
  };
}

/** Splits the process's output into lines: warnings, errors and other text are printed and kept. */
function readLogLines(
  child: ChildProcess,
  name: string,
  problems: string[],
  onLogEntry: ((entry: LogEntry) => void) | undefined,
): void {
  const onLine = (line: string) => {
    if (line.length === 0) return;
    let level = 50;
    if (line.startsWith('{')) {
      try {
        const entry = JSON.parse(line) as LogEntry;
        level = entry.level ?? 30;
        onLogEntry?.(entry);
      } catch {
        // not a log line
      }
    } else if (line.startsWith(READY_TEXT.api) || line.startsWith(READY_TEXT.worker)) {
      level = 30;
    }
    if (level >= 40) {
      process.stderr.write(`[${name}] ${line}\n`);
      problems.push(line);
      if (problems.length > 50) problems.shift();
    }
  };
  const lines = (stream: NodeJS.ReadableStream | null) => {
    let pending = '';
    stream?.on('data', (chunk: Buffer) => {
      const parts = (pending + chunk.toString()).split('\n');
      pending = parts.pop() ?? '';
      parts.forEach(onLine);
    });
  };
  lines(child.stdout);
  lines(child.stderr);
}

/** SIGTERM (a service shuts down cleanly on it), SIGKILL after 30 s; resolves when it has exited. */
export async function stopServiceProcess(service: Pick<ServiceProcess, 'child'>): Promise<void> {
  const { child } = service;
  if (child.exitCode !== null || child.signalCode !== null) return;
  await new Promise<void>((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
