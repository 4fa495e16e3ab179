import { eventSchema, type IdentityEvent } from '../events/event-schema.js';
import type { Graph } from '../graph/graph-client.js';

/**
 * The source graph's event log as a replay reads it: in the order the graph received the events
 * (receivedAt, then key), in keyset pages (read/replay-events-page, on the receivedAt index), cut
 * into the batches they were: events one resolver transaction applied share receivedAt and job id,
 * and go to the target's resolver together again (at most `maxBatch` at once), so choices that
 * depend on what a batch holds (which of two joins a merge limit refuses) come out as they did.
 */

export interface ReplayBatch {
  /** The source's job id (the target's event log records it as the events' job). */
  jobId: string;
  receivedAt: number;
  events: IdentityEvent[];
}

interface EventRow {
  key: string;
  receivedAt: number;
  jobId: string | null;
  payload: string;
}

/** Time far beyond any receivedAt: `until` when the whole log is replayed. */
export const END_OF_TIME = Number.MAX_SAFE_INTEGER;

function parsePayload(payload: string): IdentityEvent | undefined {
  try {
    const parsed = eventSchema.safeParse(JSON.parse(payload));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Yields the log's batches up to `until`; `onUnreadable` counts events whose stored payload no
 * longer parses as an event (none is expected: the log stores what the resolver validated).
 */
export async function* eventBatches(
  graph: Pick<Graph, 'query'>,
  options: { until: number; pageSize: number; maxBatch: number; onUnreadable?: () => void },
): AsyncGenerator<ReplayBatch> {
  let afterAt = -1;
  let afterKey = '';
  let current: ReplayBatch | undefined;
  for (;;) {
    const rows = await graph.query<EventRow>('read/replay-events-page', {
      afterAt,
      afterKey,
      until: options.until,
      limit: options.pageSize,
    });
    for (const row of rows) {
      const jobId = row.jobId ?? `event/${row.key}`;
      if (
        current &&
        (current.receivedAt !== row.receivedAt ||
          current.jobId !== jobId ||
          current.events.length >= options.maxBatch)
      ) {
        yield current;
        current = undefined;
      }
      const event = parsePayload(row.payload);
      if (!event) {
        options.onUnreadable?.();
        continue;
      }
      current ??= { jobId, receivedAt: row.receivedAt, events: [] };
      current.events.push(event);
    }
    const last = rows.at(-1);
    if (!last || rows.length < options.pageSize) break;
    afterAt = last.receivedAt;
    afterKey = last.key;
  }
  if (current) yield current;
}
