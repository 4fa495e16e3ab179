import { CLIENT_TIMEOUT_MS, isOk, isProper503, needs, type RequestRecord } from './fault-load.js';
import type { Dependency } from './fault-services.js';

/**
 * Reads the recorded requests of one fault: which needed the missing service and how they were
 * answered, what `/readyz` said, how long the slowest took; and formats the suite's log line.
 */

/** The bound: a request that needs a missing service is answered within a second. */
export const FAIL_FAST_MS = 1000;

export interface FaultWindow {
  label: string;
  /** The service the fault takes away (none for a worker process). */
  dependency: Dependency | undefined;
  injectedAt: number;
  /** The service answers again (or the killed worker's replacement is ready): the harness saw it ready. */
  backAt: number;
  /** The API is ready again (`/readyz` 200). */
  recoveredAt: number;
}

/** Requests started after the API is ready again may still meet a pool reconnecting: this long. */
export const SETTLE_MS = 2000;

export interface WindowStats {
  requests: number;
  /** Needed the missing service and got a 503 problem+json with Retry-After. */
  unavailable: number;
  /** A usable answer (2xx, or 404 for an identifier whose batch is still queued). */
  ok: number;
  /** Anything else: a 5xx other than a proper 503, no answer, a timeout. */
  wrong: RequestRecord[];
  /**
   * Requests sent while the service was missing that needed it (and `/readyz`), answered after
   * more than FAIL_FAST_MS; and any request not answered within the client's timeout. Once the
   * service is back, a request may take its usual time.
   */
  slow: RequestRecord[];
  maxMs: number;
  /** `/readyz` answers that named the fault's service as down, and only it. */
  readyzNamedIt: number;
  readyzAnswers: number;
}

/** The request was under way at some time between the fault and the API's recovery. */
function inWindow(record: RequestRecord, window: FaultWindow): boolean {
  return (
    record.start + record.ms >= window.injectedAt && record.start < window.recoveredAt + SETTLE_MS
  );
}

/** How long the request waited once the fault was on (a request sent before it counts from it). */
function waitedMs(record: RequestRecord, window: FaultWindow): number {
  return record.start + record.ms - Math.max(record.start, window.injectedAt);
}

function readyzChecks(record: RequestRecord): Record<string, string> {
  const checks = (record.body as { checks?: unknown } | null)?.checks;
  return checks && typeof checks === 'object' ? (checks as Record<string, string>) : {};
}

/** True when a `/readyz` answer says `dependency` is down and every other dependency is fine. */
export function readyzNames(record: RequestRecord, dependency: Dependency): boolean {
  if (record.status !== 503) return false;
  const checks = readyzChecks(record);
  const other: Dependency = dependency === 'neo4j' ? 'redis' : 'neo4j';
  return checks[dependency] !== undefined && checks[dependency] !== 'ok' && checks[other] === 'ok';
}

export function windowStats(records: readonly RequestRecord[], window: FaultWindow): WindowStats {
  const mine = records.filter((r) => inWindow(r, window));
  const stats: WindowStats = {
    requests: mine.length,
    unavailable: 0,
    ok: 0,
    wrong: [],
    slow: mine.filter(
      (r) =>
        (r.status === 0 && r.ms >= CLIENT_TIMEOUT_MS) ||
        (window.dependency !== undefined &&
          needs[r.kind].includes(window.dependency) &&
          r.start < window.backAt &&
          waitedMs(r, window) > FAIL_FAST_MS),
    ),
    maxMs: Math.max(0, ...mine.map((r) => r.ms)),
    readyzNamedIt: 0,
    readyzAnswers: 0,
  };
  for (const r of mine) {
    const dependency = window.dependency;
    if (r.kind === 'readyz') {
      stats.readyzAnswers += 1;
      if (dependency && readyzNames(r, dependency)) stats.readyzNamedIt += 1;
      else if (r.status !== 200 && !(dependency && r.status === 503)) stats.wrong.push(r);
      continue;
    }
    if (isOk(r)) stats.ok += 1;
    else if (dependency && needs[r.kind].includes(dependency) && isProper503(r))
      stats.unavailable += 1;
    else stats.wrong.push(r);
  }
  return stats;
}

/** Requests outside every fault's window that did not get a usable answer. */
export function wrongOutsideWindows(
  records: readonly RequestRecord[],
  windows: readonly FaultWindow[],
): RequestRecord[] {
  return records.filter(
    (r) =>
      !windows.some((w) => inWindow(r, w)) && !(r.kind === 'readyz' ? r.status === 200 : isOk(r)),
  );
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/**
 * Wrong answers outside the faults, each counted after the fault that came last before it (or
 * before the first): `after (c) ...: resolve 503 x41 (sent from N s to N s after it was ready
 * again)`.
 */
export function tallyAfterFaults(
  records: readonly RequestRecord[],
  windows: readonly FaultWindow[],
): string {
  if (records.length === 0) return 'none';
  const groups = new Map<string, RequestRecord[]>();
  const previous = new Map<string, FaultWindow | undefined>();
  for (const r of records) {
    const before = windows.filter((w) => w.recoveredAt <= r.start).at(-1);
    const key = before ? `after ${before.label}` : 'before the first fault';
    groups.set(key, [...(groups.get(key) ?? []), r]);
    previous.set(key, before);
  }
  return [...groups]
    .map(([key, rs]) => {
      const w = previous.get(key);
      const starts = rs.map((r) => r.start - (w?.recoveredAt ?? 0));
      const since = w
        ? ` (sent from ${seconds(Math.min(...starts))} to ${seconds(Math.max(...starts))} after it was ready again)`
        : '';
      return `${key}: ${tally(rs)}${since}`;
    })
    .join('; ');
}

/** The suite's one line for a fault. */
export function faultLine(
  window: FaultWindow,
  stats: WindowStats,
  extra: { processesKept: boolean; nonJson: number; partitionEqual: boolean; detail: string },
): string {
  const back = window.dependency ? `${window.dependency} back` : 'replacement worker ready';
  const recovered = window.dependency
    ? `API ready again ${seconds(window.recoveredAt - window.backAt)} after that (${seconds(window.recoveredAt - window.injectedAt)} after the fault)`
    : `backlog applied ${seconds(window.recoveredAt - window.backAt)} after that`;
  const readyz = window.dependency
    ? `/readyz named ${window.dependency} down ${stats.readyzNamedIt}/${stats.readyzAnswers}`
    : `/readyz answers ${stats.readyzAnswers}`;
  return [
    `${window.label}: injected`,
    `${back} after ${seconds(window.backAt - window.injectedAt)}`,
    `recovered: ${recovered}`,
    `requests 503: ${stats.unavailable} / ok: ${stats.ok} / wrong: ${stats.wrong.length}, max latency ${stats.maxMs} ms (too slow: ${stats.slow.length})`,
    readyz,
    `processes reconnected without restart: ${extra.processesKept ? 'yes' : 'NO'}`,
    `non-JSON log lines: ${extra.nonJson}`,
    `partition equal to the fault-free run: ${extra.partitionEqual ? 'yes' : 'NO'} (${extra.detail})`,
  ].join('; ');
}

/** Wrong answers counted by kind and status, for the log: `resolve 0 x12, person 503 x3`. */
export function tally(records: readonly RequestRecord[]): string {
  const counts = new Map<string, number>();
  for (const r of records)
    counts.set(`${r.kind} ${r.status}`, (counts.get(`${r.kind} ${r.status}`) ?? 0) + 1);
  return [...counts].map(([k, n]) => `${k} x${n}`).join(', ') || 'none';
}
