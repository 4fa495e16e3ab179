import { ServiceUnavailableError } from '../errors.js';
import type { Logger } from '../logger.js';

/**
 * Whether Neo4j answers, as this process last saw it, so that the API fails fast while it does not
 * and the workers wait for it instead of failing their jobs.
 *
 * Neo4j counts as down once a call fails for want of a connection and a probe confirms it, or once
 * two probes in a row do not answer in time (a call that runs longer than `suspectAfterMs` starts
 * them, so a Neo4j that hangs is noticed while the call is still waiting). While down, a probe runs with
 * back-off (from `minBackoffMs`, doubling, up to `maxBackoffMs`) and marks it up again at the first
 * answer; the driver reconnects by itself, so nothing restarts.
 */

export type GraphDownReason = 'unreachable' | 'timeout';

/** A probe's outcome: undefined when Neo4j answered, else why it counts as down. */
export type GraphProbe = () => Promise<GraphDownReason | undefined>;

export interface GraphHealthOptions {
  /** One round trip to Neo4j, bounded in time by the probe itself (see `createGraphProbe`). */
  probe: GraphProbe;
  logger: Logger;
  /** A guarded call running longer than this starts a probe. */
  suspectAfterMs?: number;
  minBackoffMs?: number;
  maxBackoffMs?: number;
}

export type GraphHealth = ReturnType<typeof createGraphHealth>;

const isGraphUnavailable = (error: unknown) =>
  error instanceof ServiceUnavailableError && error.dependency === 'neo4j';

/**
 * `fn` raced against Neo4j going down (`inFlight` is told), with a probe (`suspect`) if it runs
 * longer than `suspectAfterMs`. A call cut off this way goes on in the driver and ends by itself.
 */
async function raceAgainstDown<T>(
  fn: () => Promise<T>,
  deps: {
    inFlight: Set<() => void>;
    unavailable: () => Error;
    suspectAfterMs: number;
    suspect: () => Promise<unknown>;
  },
): Promise<T> {
  let tell!: () => void;
  const wentDown = new Promise<never>((_resolve, reject) => {
    tell = () => reject(deps.unavailable());
  });
  deps.inFlight.add(tell);
  const suspicion = setTimeout(() => void deps.suspect(), deps.suspectAfterMs);
  suspicion.unref();
  try {
    return await Promise.race([fn(), wentDown]);
  } finally {
    clearTimeout(suspicion);
    deps.inFlight.delete(tell);
  }
}

export function createGraphHealth(options: GraphHealthOptions) {
  const { logger } = options;
  const suspectAfterMs = options.suspectAfterMs ?? 250;
  const minBackoffMs = options.minBackoffMs ?? 250;
  const maxBackoffMs = options.maxBackoffMs ?? 5000;
  let down: { reason: GraphDownReason; since: number } | undefined;
  let backoffMs = minBackoffMs;
  let timer: NodeJS.Timeout | undefined;
  let probing: Promise<GraphDownReason | undefined> | undefined;
  let closed = false;
  /** Guarded calls in flight: told when Neo4j goes down, so they answer at once. */
  const inFlight = new Set<() => void>();
  /** Callers waiting for Neo4j to answer again: resolved when it does, rejected on close. */
  let waiters: { resolve: () => void; reject: (error: Error) => void }[] = [];

  const retryAfterSeconds = () => Math.max(1, Math.ceil(backoffMs / 1000));
  const unavailable = () => new ServiceUnavailableError('neo4j', undefined, retryAfterSeconds());

  /** One probe at a time: callers arriving while one runs share its outcome. */
  function probeNow(): Promise<GraphDownReason | undefined> {
    probing ??= options
      .probe()
      .catch((): GraphDownReason => 'unreachable')
      .finally(() => (probing = undefined));
    return probing;
  }

  function markUp(): void {
    if (!down) return;
    logger.info({ dependency: 'neo4j', downForMs: Date.now() - down.since }, 'neo4j answers again');
    down = undefined;
    backoffMs = minBackoffMs;
    const woken = waiters;
    waiters = [];
    for (const waiter of woken) waiter.resolve();
  }

  function scheduleProbe(): void {
    if (closed) return;
    timer = setTimeout(() => {
      void probeNow().then((reason) => {
        if (closed || !down) return;
        if (reason === undefined) return markUp();
        down.reason = reason;
        backoffMs = Math.min(backoffMs * 2, maxBackoffMs);
        scheduleProbe();
      });
    }, backoffMs);
    timer.unref();
  }

  function markDown(reason: GraphDownReason): void {
    if (down || closed) return;
    down = { reason, since: Date.now() };
    logger.warn(
      { dependency: 'neo4j', reason },
      'neo4j unavailable: API calls answer 503 and workers wait until it answers again',
    );
    for (const tell of inFlight) tell();
    inFlight.clear();
    backoffMs = minBackoffMs;
    scheduleProbe();
  }

  /** Probes, marking Neo4j down when it fails; a late answer is asked again (slowness is no outage). */
  async function confirm(): Promise<boolean> {
    if (down) return false;
    let reason = await probeNow();
    if (reason === 'timeout' && !down) reason = await probeNow();
    if (reason !== undefined) markDown(reason);
    return reason === undefined && !down;
  }
  function waitUntilUp(): Promise<void> {
    if (!down) return Promise.resolve();
    if (closed) return Promise.reject(unavailable());
    return new Promise((resolve, reject) => waiters.push({ resolve, reject }));
  }

  const raced = <T>(fn: () => Promise<T>) =>
    raceAgainstDown(fn, { inFlight, unavailable, suspectAfterMs, suspect: confirm });

  return {
    /** `ok`, or `down: <reason>`: what /readyz shows without asking Neo4j. */
    state(): string {
      return down ? `down: ${down.reason}` : 'ok';
    },

    isUp: () => down === undefined,

    /** Seconds a client should wait before trying again: about when the next probe runs. */
    retryAfterSeconds,

    markDown,

    /**
     * For /readyz: the state now, asking Neo4j with a probe unless it is already known to be down
     * (then the back-off probe is what brings it back).
     */
    async check(): Promise<string> {
      if (!down) await confirm();
      return this.state();
    },

    /**
     * An API call: refused at once (ServiceUnavailableError) while Neo4j is down; otherwise run, and
     * answered with ServiceUnavailableError as soon as Neo4j is found down while it runs. A call
     * that fails for want of a connection is run once more if a probe finds Neo4j answering (a
     * pooled connection from before a restart), else Neo4j is marked down.
     */
    async guard<T>(fn: () => Promise<T>): Promise<T> {
      if (down) throw unavailable();
      try {
        return await raced(fn);
      } catch (error) {
        if (!isGraphUnavailable(error)) throw error;
        if (await confirm()) return raced(fn);
        throw unavailable();
      }
    },

    /**
     * Background work (a worker's batch, a privacy request): run `fn`, and while it fails because
     * Neo4j is unavailable, wait until Neo4j answers again and run it again, for as long as it
     * takes, so an outage never uses up a job's attempts. `fn` must be safe to run again (the
     * resolver's batches and the privacy steps are). Rejects when the tracker is closed.
     */
    async untilDone<T>(fn: () => Promise<T>): Promise<T> {
      for (;;) {
        try {
          return await fn();
        } catch (error) {
          if (!isGraphUnavailable(error) || closed) throw error;
          // A probe that answers means a passing failure (a connection from before a restart):
          // try again after a pause; otherwise wait for the back-off probe to see Neo4j again.
          if (await confirm()) await new Promise((resolve) => setTimeout(resolve, minBackoffMs));
          else await waitUntilUp();
        }
      }
    },

    /** Stops probing; callers still waiting for Neo4j get ServiceUnavailableError. */
    close(): void {
      closed = true;
      clearTimeout(timer);
      const woken = waiters;
      waiters = [];
      for (const waiter of woken) waiter.reject(unavailable());
    },
  };
}
