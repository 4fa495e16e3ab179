import { randomUUID } from 'node:crypto';
import type { Graph } from '../graph/graph-client.js';
import type { ChangeEntry } from './change-contract.js';
import { deliveriesOf, type WebhookDelivery, type WebhookEndpoint } from './webhook-delivery.js';

/**
 * The relay and the sweeper of the change feed; src/jobs/ runs them on a schedule.
 *
 * The relay numbers committed batches: in one transaction holding the feed clock's lock
 * (write/relay-changes) it gives up to a page of unrelayed batches consecutive seq values in the
 * order of their append time, then enqueues their webhook deliveries and marks them enqueued
 * (write/changes-enqueued). A relay that stops between the two leaves the batches labelled
 * Undelivered; the next run enqueues them again (at least once). Runs may overlap (several worker
 * processes): the clock's lock serialises the numbering.
 *
 * The sweeper deletes, in seq order, batches relayed longer ago than the retention.
 */

/** Batches one relay transaction numbers, and the batches whose deliveries are read at once. */
const RELAY_PAGE = 500;
const DELIVERY_PAGE = 50;
/** Batches one sweep transaction deletes. */
const SWEEP_PAGE = 1000;

export interface RelayDeps {
  graph: Pick<Graph, 'query' | 'writeTransaction'>;
  /** Configured webhook endpoints; none: nothing is enqueued. */
  endpoints: readonly WebhookEndpoint[];
  /** Adds deliveries to the webhook queue; a delivery id already queued is not added again. */
  enqueue(deliveries: readonly WebhookDelivery[]): Promise<void>;
  /** Told each relayed batch's entry count and how long it waited for its seq. */
  observe?(batch: { entries: number; waitedSeconds: number }): void;
}

/** Numbers every committed batch and enqueues its deliveries; returns how many batches it numbered. */
export async function relayChanges(deps: RelayDeps): Promise<number> {
  const deliver = deps.endpoints.length > 0;
  let relayed = 0;
  for (;;) {
    const rows = await deps.graph.writeTransaction('relay-changes', (tx) =>
      tx.run<{ id: string; seq: number; waitedMs: number; count: number }>('write/relay-changes', {
        token: randomUUID(),
        limit: RELAY_PAGE,
        deliver,
      }),
    );
    for (const row of rows)
      deps.observe?.({ entries: row.count, waitedSeconds: Math.max(0, row.waitedMs) / 1000 });
    relayed += rows.length;
    if (deliver) await enqueueUndelivered(deps);
    if (rows.length < RELAY_PAGE) return relayed;
  }
}

/** Enqueues the deliveries of every relayed batch labelled Undelivered, oldest first. */
async function enqueueUndelivered(deps: RelayDeps): Promise<void> {
  for (;;) {
    const batches = await deps.graph.query<{
      id: string;
      seq: number;
      entries: string;
      requestId: string | null;
    }>('read/changes-undelivered', { limit: DELIVERY_PAGE });
    if (batches.length === 0) return;
    for (const batch of batches) {
      const entries = JSON.parse(batch.entries) as ChangeEntry[];
      await deps.enqueue(
        deliveriesOf(
          {
            id: batch.id,
            seq: batch.seq,
            entries,
            ...(batch.requestId ? { requestId: batch.requestId } : {}),
          },
          deps.endpoints,
        ),
      );
    }
    await deps.graph.query('write/changes-enqueued', { ids: batches.map((b) => b.id) });
    if (batches.length < DELIVERY_PAGE) return;
  }
}

/** Deletes batches relayed before `now - retentionMs`, oldest first; returns how many. */
export async function sweepChanges(deps: {
  graph: Pick<Graph, 'writeTransaction'>;
  retentionMs: number;
  now?: () => number;
}): Promise<number> {
  const cutoff = Math.floor((deps.now ?? Date.now)() - deps.retentionMs);
  let deleted = 0;
  for (;;) {
    const [row] = await deps.graph.writeTransaction('sweep-changes', (tx) =>
      tx.run<{ deleted: number }>('write/sweep-changes', {
        token: randomUUID(),
        cutoff,
        limit: SWEEP_PAGE,
      }),
    );
    deleted += row?.deleted ?? 0;
    if ((row?.deleted ?? 0) < SWEEP_PAGE) return deleted;
  }
}
