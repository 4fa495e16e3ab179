import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * idgraph's API and worker as separate processes (`src/main.ts --api` / `--worker`), as production
 * runs them. Every output line is kept with its time, to find lines that are not JSON log records
 * (an outage must not print stack traces or ioredis' own warnings), and written to a log file for
 * a post-mortem.
 */

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface OutputLine {
  at: number;
  text: string;
}

export interface IdgraphProcess {
  readonly role: 'api' | 'worker';
  readonly name: string;
  readonly pid: number;
  readonly lines: OutputLine[];
  /** Set when the process has exited (on its own or killed). */
  exit: { at: number; code: number | null; signal: NodeJS.Signals | null } | undefined;
  /** The API's base URL (api role only). */
  baseUrl: string;
  /** Sends `signal` and waits until the process has exited. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/** The plain lines main.ts prints for a person at a terminal, next to the JSON log. */
const PLAIN_LINES = [/^idgraph ready: /, /^idgraph worker ready$/];

/** Output lines that are neither a JSON object nor one of main.ts' plain start-up lines. */
export function nonJsonLines(lines: readonly OutputLine[]): OutputLine[] {
  return lines.filter(({ text }) => {
    if (PLAIN_LINES.some((p) => p.test(text))) return false;
    try {
      const parsed: unknown = JSON.parse(text);
      return typeof parsed !== 'object' || parsed === null;
    } catch {
      return true;
    }
  });
}

function collectLines(
  child: ChildProcess,
  lines: OutputLine[],
  file: WriteStream,
  onLine: (text: string) => void,
) {
  for (const stream of [child.stdout, child.stderr]) {
    let rest = '';
    stream?.setEncoding('utf8');
    stream?.on('data', (chunk: string) => {
      const parts = (rest + chunk).split('\n');
      rest = parts.pop() ?? '';
      for (const text of parts) {
        if (text.length === 0) continue;
        lines.push({ at: Date.now(), text });
        file.write(`${text}\n`);
        onLine(text);
      }
    });
  }
}

/**
 * Starts one idgraph process with `env` (on top of this process's environment) and resolves once
 * it says it is ready; rejects with its last output lines when it exits or takes longer than
 * `timeoutMs`.
 */
export async function startIdgraph(options: {
  role: 'api' | 'worker';
  name: string;
  env: Record<string, string>;
  /** Variables of this process's environment the child must not inherit. */
  unset?: readonly string[];
  logFile: string;
  timeoutMs?: number;
}): Promise<IdgraphProcess> {
  const { role, name } = options;
  const env: Record<string, string | undefined> = { ...process.env, ...options.env };
  for (const key of options.unset ?? []) delete env[key];
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(REPO_ROOT, 'src', 'main.ts'), `--${role}`],
    { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const file = createWriteStream(options.logFile, { flags: 'a' });
  const lines: OutputLine[] = [];
  const exited = new Promise<void>((resolveExit) =>
    child.once('exit', (code, signal) => {
      proc.exit = { at: Date.now(), code, signal };
      file.end();
      resolveExit();
    }),
  );
  const proc: IdgraphProcess = {
    role,
    name,
    pid: child.pid ?? -1,
    lines,
    exit: undefined,
    baseUrl: '',
    async stop(signal = 'SIGTERM') {
      if (proc.exit) return;
      child.kill(signal);
      await exited;
    },
  };
  const ready = new Promise<void>((resolveReady, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${name} not ready within ${(options.timeoutMs ?? 90_000) / 1000} s`)),
      options.timeoutMs ?? 90_000,
    );
    collectLines(child, lines, file, (text) => {
      const api = /^idgraph ready: (\S+)/.exec(text);
      if (api?.[1] || text === 'idgraph worker ready') {
        proc.baseUrl = api?.[1] ?? '';
        clearTimeout(timer);
        resolveReady();
      }
    });
    void exited.then(() => {
      clearTimeout(timer);
      const tail = lines
        .slice(-20)
        .map((l) => l.text)
        .join('\n');
      reject(
        new Error(`${name} exited (${JSON.stringify(proc.exit)}) before it was ready:\n${tail}`),
      );
    });
  });
  try {
    await ready;
  } catch (error) {
    await proc.stop('SIGKILL');
    throw error;
  }
  return proc;
}
