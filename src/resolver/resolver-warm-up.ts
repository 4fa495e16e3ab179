import { createHash, randomUUID } from 'node:crypto';
import type { IdentityEvent } from '../events/event-schema.js';
import type { Graph, GraphTx } from '../graph/graph-client.js';
import type { IdentifierRegistry } from './identifier-types.js';
import { type PreparedEvent, prepareEvents } from './prepare-events.js';

/**
 * The batches a worker resolves, and rolls back, before it takes its first job
 * (`ResolverService.warmUp`). Neo4j plans a statement the first time it sees it, and the
 * resolver's statements are large: planned on the first batch after a start, they made that batch
 * many times slower than the next (a `?wait=true` right after a start timed out). Run here, in a
 * transaction that is rolled back, they are planned and cached before the process reports ready.
 *
 * Two batches, in one transaction, so that each statement runs with the parameters it meets in
 * real batches: the first creates identifiers and persons, asserts consent, stores two records of
 * one person (a probabilistic match: the model goes with the plan) and takes the matching clock;
 * the second joins two of the first's persons (their locks, a merge) with no record. Values are
 * random and the source is reserved, so no real identifier, record or block is touched; nothing is
 * committed.
 */

export const WARM_UP_SOURCE = 'idgraph-warm-up';

/**
 * A job id shaped like an ingest job's (src/ingest/ingest-contract.ts): Neo4j's plan cache tells
 * parameters apart by type and, for strings and lists, by a bucket of their size.
 */
export function warmUpJobId(n: number): string {
  return `w${createHash('sha256').update(`warm-up-${n}`).digest('hex').slice(0, 40)}`;
}

export function warmUpBatches(now: number): IdentityEvent[][] {
  const token = randomUUID();
  const at = (s: number) => new Date(now + s * 1000).toISOString();
  const cookie = (n: number) => ({ type: 'cookie_id', value: `warm-up-${token}-${n}` });
  const email = { type: 'email', value: `warm-up-${token}@warm-up.invalid` };
  const device = { type: 'device_id', value: `warm-up-${token}` };
  const attributes = {
    firstName: `Warm${token.slice(0, 8)}`,
    lastName: `Up${token.slice(9, 13)}`,
    dateOfBirth: '1970-01-01',
    city: 'Nowhere',
    postcode: token.slice(14, 18),
  };
  const event = (n: number, identifiers: IdentityEvent['identifiers'], extra = {}) => ({
    source: WARM_UP_SOURCE,
    id: `${token}-${n}`,
    occurredAt: at(n),
    identifiers,
    ...extra,
  });
  return [
    [
      event(1, [cookie(1), email], {
        attributes,
        consent: { purposes: { identity_linking: true, analytics: true } },
      }),
      event(2, [cookie(2), device], { attributes }),
      event(3, [cookie(3)]),
    ],
    [event(4, [email, cookie(3)])],
  ];
}

/** Ends the warm-up's transaction: it is rolled back. */
class WarmUpRollback extends Error {
  constructor() {
    super('warm-up: rolled back');
    this.name = 'WarmUpRollback';
  }
}

/**
 * Resolves the warm-up batches with the resolver's own transaction code (`resolveInTx`) in one
 * write transaction, and rolls it back.
 */
export async function warmUp(
  deps: { graph: Pick<Graph, 'writeTransaction'>; registry: Pick<IdentifierRegistry, 'normalize'> },
  now: number,
  resolveInTx: (
    tx: GraphTx,
    jobId: string,
    events: readonly PreparedEvent[],
    hash: undefined,
  ) => Promise<unknown>,
): Promise<void> {
  try {
    await deps.graph.writeTransaction('resolver-warm-up', async (tx) => {
      for (const [n, events] of warmUpBatches(now).entries()) {
        const { prepared } = prepareEvents(events, deps.registry);
        await resolveInTx(tx, warmUpJobId(n), prepared, undefined);
      }
      throw new WarmUpRollback();
    });
  } catch (error) {
    if (!(error instanceof WarmUpRollback)) throw error;
  }
}
