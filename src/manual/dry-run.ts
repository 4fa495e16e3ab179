import type { Graph, GraphTx } from '../graph/graph-client.js';
import { withStaleRetries } from '../resolver/transaction-retry.js';

/**
 * A manual operation's dry run is the operation itself, in the same transaction code under the same
 * locks, rolled back at its end: what it answers is what the real run would do, computed by the
 * code that does it, and nothing is written (the change feed's entries and the audit records are
 * rolled back with the rest). Ids the operation makes up (new persons, audit records, constraints)
 * are the rolled-back transaction's: the real run makes new ones.
 */

/** Carries a dry run's answer out of the transaction it rolls back. */
class DryRunRollback<T> extends Error {
  constructor(readonly result: T) {
    super('dry run: rolled back');
    this.name = 'DryRunRollback';
  }
}

/**
 * Runs `work` in a write transaction through {@link withStaleRetries} (the resolver's retry on a
 * graph that moved under the locks); with `dryRun`, rolls it back and still answers its result.
 */
export async function runOperation<T>(
  graph: Pick<Graph, 'writeTransaction'>,
  name: string,
  dryRun: boolean,
  work: (tx: GraphTx) => Promise<T>,
): Promise<T> {
  try {
    return await withStaleRetries(graph, name, async (tx) => {
      const result = await work(tx);
      if (dryRun) throw new DryRunRollback(result);
      return result;
    });
  } catch (error) {
    if (error instanceof DryRunRollback) return error.result as T;
    throw error;
  }
}
