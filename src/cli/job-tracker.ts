import { setTimeout as delay } from 'node:timers/promises';
import type { IngestQueue, JobView } from '../ingest/ingest-queue.js';

/**
 * Follows the batches `idgraph ingest` enqueued, oldest first, and adds up their outcomes. It polls
 * job state (one Redis read per check) rather than subscribing to queue events, so it needs nothing
 * but the producer's fail-fast connection. Batches finish roughly in order, so watching the oldest
 * one is enough to notice progress, and a stall means the oldest batch has not moved.
 */

export interface BatchTotals {
  /** Batches handed to the tracker. */
  batches: number;
  finishedBatches: number;
  /** Events in finished batches, whatever became of them: the "resolved" progress. */
  finishedEvents: number;
  applied: number;
  duplicates: number;
  /** Events the resolver rejected whole (no usable identifier). */
  rejectedEvents: number;
  /** Identifier values the resolver dropped from events it otherwise kept. */
  droppedValues: number;
  /** Attribute values kept as given but not clean, by attribute name. */
  attributeWarnings: Record<string, number>;
  /** Batches that ended in the dead-letter queue. */
  failedBatches: number;
  failedEvents: number;
  /** Batches whose outcome could not be read (removed from Redis, or an unreadable result). */
  unknownBatches: number;
  unknownEvents: number;
  pendingBatches: number;
  pendingEvents: number;
}

/** What the resolver refused in one event: dropped values and, when none was usable, the event. */
export interface EventRejection {
  source: string;
  eventId: string;
  reasons: string[];
}

export interface JobTrackerOptions {
  queue: Pick<IngestQueue, 'getJob'>;
  /** Pause between two checks of an unfinished batch. */
  pollMs?: number;
  /** Each event with values or itself rejected by the resolver (reasons name positions and types, never values). */
  onRejection?: (rejection: EventRejection) => void;
  /** Each batch that ended in the dead-letter queue. */
  onFailedBatch?: (jobId: string, reason: string) => void;
  /** Called once per wait when the oldest batch has not finished for `slowAfterMs` (a hint: is a worker running?). */
  onSlow?: (waitedMs: number) => void;
  slowAfterMs?: number;
  now?: () => number;
}

export type WaitOutcome = 'done' | 'stalled' | 'aborted';

export type JobTracker = ReturnType<typeof createJobTracker>;

export function createJobTracker(options: JobTrackerOptions) {
  const pollMs = options.pollMs ?? 200;
  const slowAfterMs = options.slowAfterMs ?? 10_000;
  const now = options.now ?? Date.now;
  const pending: { jobId: string; events: number }[] = [];
  const totals = {
    batches: 0,
    finishedBatches: 0,
    finishedEvents: 0,
    applied: 0,
    duplicates: 0,
    rejectedEvents: 0,
    droppedValues: 0,
    attributeWarnings: {} as Record<string, number>,
    failedBatches: 0,
    failedEvents: 0,
    unknownBatches: 0,
    unknownEvents: 0,
  };

  function record(batch: { jobId: string; events: number }, job: JobView | undefined): void {
    totals.finishedBatches += 1;
    totals.finishedEvents += batch.events;
    if (job?.state === 'failed') {
      totals.failedBatches += 1;
      totals.failedEvents += batch.events;
      options.onFailedBatch?.(batch.jobId, job.failedReason ?? 'unknown reason');
      return;
    }
    const result = job?.result;
    if (!result) {
      totals.unknownBatches += 1;
      totals.unknownEvents += batch.events;
      return;
    }
    totals.applied += result.applied;
    totals.duplicates += result.duplicates;
    totals.rejectedEvents += result.rejectedEvents;
    // A rejection that names an event the resolver kept is a dropped value; the others belong to
    // events rejected whole.
    const kept = new Set(result.events.map((e) => `${e.source}/${e.eventId}`));
    totals.droppedValues += result.rejected.filter((r) =>
      kept.has(`${r.source}/${r.eventId}`),
    ).length;
    for (const [attribute, n] of Object.entries(result.attributeWarnings ?? {}))
      totals.attributeWarnings[attribute] = (totals.attributeWarnings[attribute] ?? 0) + n;
    const byEvent = new Map<string, EventRejection>();
    for (const r of result.rejected) {
      const key = `${r.source}/${r.eventId}`;
      const entry = byEvent.get(key) ?? { source: r.source, eventId: r.eventId, reasons: [] };
      entry.reasons.push(r.reason);
      byEvent.set(key, entry);
    }
    for (const rejection of byEvent.values()) options.onRejection?.(rejection);
  }

  /** Settles the oldest pending batch if it has finished; false when it has not (or none is pending). */
  async function settleOldest(): Promise<boolean> {
    const oldest = pending[0];
    if (!oldest) return false;
    const job = await options.queue.getJob(oldest.jobId);
    if (job && job.state !== 'completed' && job.state !== 'failed') return false;
    pending.shift();
    record(oldest, job);
    return true;
  }

  return {
    add(jobId: string, events: number): void {
      totals.batches += 1;
      pending.push({ jobId, events });
    },

    totals(): BatchTotals {
      return {
        ...totals,
        attributeWarnings: { ...totals.attributeWarnings },
        pendingBatches: pending.length,
        pendingEvents: pending.reduce((sum, b) => sum + b.events, 0),
      };
    },

    /** Settles the batches that have finished, oldest first, without waiting for any. */
    async collect(): Promise<void> {
      while (await settleOldest()) {
        // settled one; look at the next
      }
    },

    /**
     * Waits until at most `limit` batches are pending. Gives up ('stalled') when the oldest batch
     * has not finished for `stallMs`, and stops at once ('aborted') when `signal` fires.
     */
    async waitUntilPendingAtMost(
      limit: number,
      stallMs: number,
      signal?: AbortSignal,
    ): Promise<WaitOutcome> {
      let lastProgress = now();
      let hinted = false;
      while (pending.length > limit) {
        if (signal?.aborted) return 'aborted';
        if (await settleOldest()) {
          lastProgress = now();
          continue;
        }
        const waited = now() - lastProgress;
        if (waited >= stallMs) return 'stalled';
        if (!hinted && waited >= slowAfterMs) {
          hinted = true;
          options.onSlow?.(waited);
        }
        try {
          await delay(pollMs, undefined, { signal });
        } catch {
          return 'aborted';
        }
      }
      return 'done';
    },
  };
}
