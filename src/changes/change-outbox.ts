import type { GraphTx } from '../graph/graph-client.js';
import { newId } from '../ids.js';
import { type ChangeEntry, changeEntriesSchema } from './change-contract.js';

/**
 * The change feed's outbox. Every transaction that changes persons calls {@link appendChanges}
 * with what it changed; the entries are written as ONE `ChangeBatch` node in that transaction, so
 * they exist exactly when the change committed (a rolled-back or retried attempt leaves none), and
 * the write path pays one small statement, no lock and no global counter. The relay
 * (change-relay.ts) gives committed batches their place in the feed afterwards.
 */

/**
 * Writes `entries` as one `ChangeBatch` of `tx` (nothing for an empty list) and returns its id.
 *
 * Call it once per transaction, after the transaction's last lock (its last statement is best):
 * the batch records the server's clock at this statement and the relay orders batches by it, so a
 * transaction that had to wait for another's lock is ordered after it. Entries are checked against
 * the contract (change-contract.ts): ids and counts only, never a value.
 */
export async function appendChanges(
  tx: GraphTx,
  entries: readonly ChangeEntry[],
  /** The privacy request that made the changes: its report counts their webhook deliveries. */
  origin: { requestId?: string } = {},
): Promise<string | null> {
  if (entries.length === 0) return null;
  const checked = changeEntriesSchema.parse(entries);
  const id = newId('chg');
  await tx.run('write/append-changes', {
    id,
    count: checked.length,
    entries: JSON.stringify(checked),
    requestId: origin.requestId ?? null,
  });
  return id;
}

/** `person.created` for each new person. */
export function createdChanges(personIds: Iterable<string>, at: number): ChangeEntry[] {
  return [...personIds].map((personId) => ({ type: 'person.created', at, personId }));
}

/** `person.merged` for each absorbed person and the person it now resolves to. */
export function mergedChanges(
  absorbed: Iterable<{ absorbedId: string; survivorId: string }>,
  at: number,
): ChangeEntry[] {
  return [...absorbed].map(({ absorbedId, survivorId }) => ({
    type: 'person.merged',
    at,
    absorbedId,
    survivorId,
  }));
}

/**
 * A split: `person.split` naming the persons split off from `personId` (which keeps its id and the
 * rest), and an `identifier.moved` per part with the number of identifiers that went there.
 */
export function splitChanges(
  personId: string,
  parts: readonly { personId: string; identifiers: number }[],
  at: number,
): ChangeEntry[] {
  if (parts.length === 0) return [];
  return [
    { type: 'person.split', at, personId, parts: parts.map((p) => p.personId) },
    ...parts
      .filter((p) => p.identifiers > 0)
      .map((p): ChangeEntry => ({
        type: 'identifier.moved',
        at,
        fromPersonId: personId,
        toPersonId: p.personId,
        count: p.identifiers,
      })),
  ];
}
