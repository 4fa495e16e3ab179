/**
 * A paced lookup client, run as a child process of a benchmark (`fork`, IPC) so that its timing
 * does not share an event loop with the benchmark's own work (POSTing events, polling jobs).
 *
 * Open loop: `GET <path>` is sent every 1/rate s whatever the answers do (a slow answer does not
 * delay the next request, so latency under load is not hidden by a client that waits), round-robin
 * over the given paths, at most `maxInFlight` at once (a request that would exceed it is counted as
 * skipped). Each request is counted in the phase current when it was sent; the parent switches
 * phases, and on `stop` gets every phase's latency percentiles and statuses, and those of the
 * combinations of phases it names (percentiles of the pooled answers, not averages of percentiles).
 */
import { Agent, get } from 'node:http';

export interface PacerStart {
  type: 'start';
  url: string;
  headers: Record<string, string>;
  paths: string[];
  rate: number;
  maxInFlight: number;
}
export type PacerMessage =
  | PacerStart
  | { type: 'phase'; name: string }
  | { type: 'stop'; combine: Record<string, string[]> };

/** One phase's answers. Latencies in ms, from the moment the request was due to its last byte. */
export interface PhaseStats {
  requests: number;
  seconds: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  status: Record<string, number>;
  errors: number;
  skipped: number;
}

interface Phase {
  started: number;
  ended: number | undefined;
  latencies: number[];
  status: Record<string, number>;
  errors: number;
  skipped: number;
}

const percentile = (sorted: Float64Array, p: number) =>
  sorted.length === 0
    ? NaN
    : sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;

/** The phases' answers pooled: one phase's, or several phases' together. */
function summary(parts: readonly Phase[]): PhaseStats {
  const sorted = Float64Array.from(parts.flatMap((p) => p.latencies)).sort();
  const status: Record<string, number> = {};
  for (const part of parts)
    for (const [code, n] of Object.entries(part.status)) status[code] = (status[code] ?? 0) + n;
  const sum = (f: (p: Phase) => number) => parts.reduce((n, p) => n + f(p), 0);
  return {
    requests: sorted.length,
    seconds: sum((p) => ((p.ended ?? performance.now()) - p.started) / 1000),
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    max: sorted[sorted.length - 1] ?? NaN,
    status,
    errors: sum((p) => p.errors),
    skipped: sum((p) => p.skipped),
  };
}

function run(start: PacerStart): void {
  const phases = new Map<string, Phase>();
  const newPhase = (): Phase => ({
    started: performance.now(),
    ended: undefined,
    latencies: [],
    status: {},
    errors: 0,
    skipped: 0,
  });
  let current: Phase = newPhase();
  phases.set('start', current);
  let inFlight = 0;
  let sent = 0;
  let stopping = false;
  const intervalMs = 1000 / start.rate;
  const agent = new Agent({ keepAlive: true, maxSockets: start.maxInFlight });
  const origin = performance.now();

  const send = async (due: number) => {
    const phase = current;
    if (inFlight >= start.maxInFlight) {
      phase.skipped += 1;
      return;
    }
    inFlight += 1;
    const path = start.paths[sent++ % start.paths.length]!;
    try {
      const code = await lookup(`${start.url}${path}`);
      phase.latencies.push(performance.now() - due);
      phase.status[code] = (phase.status[code] ?? 0) + 1;
    } catch {
      phase.errors += 1;
    } finally {
      inFlight -= 1;
    }
  };

  /** GET with keep-alive; resolves with the status once the whole answer is read. */
  const lookup = (url: string) =>
    new Promise<string>((resolve, reject) => {
      const req = get(url, { agent, headers: start.headers, timeout: 30_000 }, (response) => {
        response.on('data', () => undefined);
        response.on('end', () => resolve(String(response.statusCode)));
        response.on('error', reject);
      });
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', reject);
    });

  let due = origin;
  const tick = () => {
    if (stopping) return;
    const now = performance.now();
    while (due <= now) {
      void send(due);
      due += intervalMs;
    }
    setTimeout(tick, Math.max(0, due - performance.now()));
  };
  tick();

  process.on('message', (message: PacerMessage) => {
    if (message.type === 'phase') {
      current.ended = performance.now();
      current = newPhase();
      phases.set(message.name, current);
    } else if (message.type === 'stop') {
      stopping = true;
      current.ended = performance.now();
      const deadline = performance.now() + 10_000;
      const finish = () => {
        if (inFlight > 0 && performance.now() < deadline) {
          setTimeout(finish, 20);
          return;
        }
        const result: Record<string, PhaseStats> = {};
        for (const [name, p] of phases) result[name] = summary([p]);
        for (const [name, of] of Object.entries(message.combine))
          result[name] = summary(of.flatMap((n) => phases.get(n) ?? []));
        process.send!({ type: 'result', phases: result }, () => process.exit(0));
      };
      finish();
    }
  });
}

process.once('message', (message: PacerMessage) => {
  if (message.type === 'start') run(message);
});
process.on('disconnect', () => process.exit(0));
