import { spawn } from 'node:child_process';
import { REPO_ROOT } from '../../scripts/local-services.mjs';
import { benchLog } from '../harness/bench-log.js';
import { processCpuSeconds } from '../host/process-cpu.js';
import type { ProcessGroup } from '../services/process-group.js';

/** How an `idgraph` command run by a benchmark ended. */
export interface CliRun {
  code: number | null;
  stdout: string;
  seconds: number;
  /** CPU seconds the command's process used (read every 100 ms while it ran, so up to 0.1 s short). */
  cpuSeconds: number;
}

/**
 * Runs `idgraph <args>` as a user would (`src/cli.ts`, its own process, the environment given, Node
 * started with `nodeFlags`, e.g. `--cpu-prof`), its
 * stderr (progress lines, problems) passed on as benchmark log lines under `label`. Rejects when
 * it exits with another code than 0, with what it printed.
 */
export async function runIdgraph(
  processes: ProcessGroup,
  args: readonly string[],
  env: Record<string, string>,
  label: string,
  nodeFlags: readonly string[] = [],
): Promise<CliRun> {
  const started = performance.now();
  const child = spawn(process.execPath, [...nodeFlags, '--import', 'tsx', 'src/cli.ts', ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  processes.add(child);
  let cpuSeconds = 0;
  const poll = setInterval(() => {
    cpuSeconds = processCpuSeconds(child.pid) ?? cpuSeconds;
  }, 100);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  let pending = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    const lines = (pending + chunk.toString()).split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) if (line.trim().length > 0) benchLog(`${label}: ${line}`);
  });
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (exitCode) => resolve(exitCode));
  });
  clearInterval(poll);
  const seconds = (performance.now() - started) / 1000;
  if (code !== 0)
    throw new Error(`idgraph ${args.join(' ')} exited with ${code}:\n${stdout}\n${stderr}`);
  return { code, stdout, seconds, cpuSeconds };
}
