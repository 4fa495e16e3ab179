import { type Job, type JobType, Queue } from 'bullmq';
import { INGEST_QUEUE_STREAMS } from './ingest-contract.js';
import { onRedisError, type RedisClient } from './redis-connection.js';

/**
 * Rewrites the payloads of the ingest jobs Redis keeps (an erasure: src/privacy/erase-queue.ts):
 * every job that is not running — waiting (a paused queue's too), delayed, prioritized, waiting for children,
 * completed (kept for their outcome) and failed (the dead-letter queue) — is handed to `scrub`,
 * which answers its events without what must go, or undefined when nothing must. A job left with
 * events is rewritten in place (its id, state and outcome stay); one left with none is removed.
 * Running jobs cannot be changed: the scan waits until those that need scrubbing are done, and
 * scans again.
 */

/** The events of a job's payload, as stored (they may not parse: scrub looks at what is there). */
export type JobEventsScrub = (events: readonly unknown[]) => unknown[] | undefined;

export interface IngestScrubOptions {
  connection: RedisClient;
  queueName: string;
  prefix: string;
  /** How long to wait for running jobs that need scrubbing; then the scrub fails (and is retried). */
  activeWaitMs?: number;
  pageSize?: number;
}

export interface IngestScrubOutcome {
  rewritten: number;
  removed: number;
}

export type IngestJobScrubber = (scrub: JobEventsScrub) => Promise<IngestScrubOutcome>;

const RESTING_STATES = [
  'waiting',
  'delayed',
  'prioritized',
  'waiting-children',
  'completed',
  'failed',
] as const satisfies readonly JobType[];

export class ActiveJobsError extends Error {
  constructor(count: number) {
    super(`${count} running ingest jobs carry erased identifiers`);
    this.name = 'ActiveJobsError';
  }
}

function eventsOf(job: Job): readonly unknown[] {
  const events = (job.data as { events?: unknown } | undefined)?.events;
  return Array.isArray(events) ? events : [];
}

export function createIngestJobScrubber(options: IngestScrubOptions): IngestJobScrubber {
  const pageSize = options.pageSize ?? 500;
  const activeWaitMs = options.activeWaitMs ?? 60_000;

  async function scrubResting(
    queue: Queue,
    scrub: JobEventsScrub,
    outcome: IngestScrubOutcome,
  ): Promise<void> {
    for (const state of RESTING_STATES) {
      for (let start = 0; ;) {
        const jobs = (await queue.getJobs([state], start, start + pageSize - 1, true)).filter(
          (job): job is Job => job !== undefined && job !== null,
        );
        let removed = 0;
        for (const job of jobs) {
          const kept = scrub(eventsOf(job));
          if (kept === undefined) continue;
          if (kept.length === 0) {
            await job.remove();
            removed += 1;
            outcome.removed += 1;
          } else {
            await job.updateData({ ...(job.data as object), events: kept });
            outcome.rewritten += 1;
          }
        }
        // Removed jobs leave the list: the next page starts that many places earlier.
        start += jobs.length - removed;
        if (jobs.length < pageSize) break;
      }
    }
  }

  /** Ids of running jobs whose payload needs scrubbing. */
  async function activeToScrub(queue: Queue, scrub: JobEventsScrub): Promise<string[]> {
    const active = await queue.getJobs(['active']);
    return active.filter((job) => job && scrub(eventsOf(job)) !== undefined).map((job) => job.id!);
  }

  return async (scrub) => {
    const queue = new Queue(options.queueName, {
      connection: options.connection,
      prefix: options.prefix,
      streams: INGEST_QUEUE_STREAMS,
    });
    // Its errors reach the caller through the calls that fail.
    queue.on('error', onRedisError(undefined, {}));
    try {
      const outcome: IngestScrubOutcome = { rewritten: 0, removed: 0 };
      const deadline = Date.now() + activeWaitMs;
      for (;;) {
        await scrubResting(queue, scrub, outcome);
        const running = await activeToScrub(queue, scrub);
        if (running.length === 0) return outcome;
        // A running job finishes as completed or failed (or goes back to waiting): scan again then.
        while ((await queue.getJobs(['active'])).some((job) => running.includes(job.id!))) {
          if (Date.now() > deadline) throw new ActiveJobsError(running.length);
          await new Promise((resolve) => setTimeout(resolve, 200));
        }
      }
    } finally {
      await queue.close();
    }
  };
}
