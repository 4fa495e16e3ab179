import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { benchAuthHeader } from '../services/bench-env.js';
import type { ProcessGroup } from '../services/process-group.js';
import type { PacerMessage, PhaseStats } from './paced-lookups.js';

export type { PhaseStats } from './paced-lookups.js';

/** Lookups at a fixed rate from a child process (bench/scale/paced-lookups.ts), in named phases. */
export interface LookupPacer {
  pid: number | undefined;
  /** Counts the requests sent from now on in phase `name` (a name used again starts it afresh). */
  phase(name: string): void;
  /**
   * Stops sending, waits for the answers in flight, and returns every phase's figures, and under
   * each name of `combine` the figures of the phases it lists, pooled.
   */
  stop(combine?: Record<string, string[]>): Promise<Record<string, PhaseStats>>;
}

const SCRIPT = fileURLToPath(new URL('./paced-lookups.ts', import.meta.url));

export function startPacer(
  processes: ProcessGroup,
  options: { url: string; paths: string[]; rate: number; maxInFlight?: number },
): LookupPacer {
  const child = fork(SCRIPT, [], { execArgv: ['--import', 'tsx'], stdio: 'inherit' });
  processes.add(child);
  const send = (message: PacerMessage) => child.send(message);
  send({
    type: 'start',
    url: options.url,
    headers: benchAuthHeader,
    paths: options.paths,
    rate: options.rate,
    maxInFlight: options.maxInFlight ?? 256,
  });
  return {
    pid: child.pid,
    phase: (name) => send({ type: 'phase', name }),
    stop: (combine = {}) =>
      new Promise((resolve, reject) => {
        child.once('message', (message: { type: string; phases: Record<string, PhaseStats> }) =>
          resolve(message.phases),
        );
        child.once('exit', (code) =>
          reject(new Error(`the lookup pacer exited with ${code} before its result`)),
        );
        send({ type: 'stop', combine });
      }),
  };
}
