import type { ChildProcess } from 'node:child_process';

/**
 * The child processes a benchmark started and that still run, so that however the benchmark ends
 * (failure, SIGINT, SIGTERM) none is left behind.
 */
export function createProcessGroup() {
  const children = new Set<ChildProcess>();
  return {
    /** Tracks `child` until it exits; returns it. */
    add(child: ChildProcess): ChildProcess {
      children.add(child);
      child.once('exit', () => children.delete(child));
      return child;
    },
    /** Kills every process still running, without waiting. */
    killAll(): void {
      for (const child of children) child.kill('SIGKILL');
    },
  };
}

export type ProcessGroup = ReturnType<typeof createProcessGroup>;
