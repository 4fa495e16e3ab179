import type { Graph, GraphTx } from '../graph/graph-client.js';

/** The state read under lock contradicts itself: another batch moved a person. Retried. */
export class StaleResolutionError extends Error {
  constructor() {
    super('graph state changed under the resolver; retrying');
    this.name = 'StaleResolutionError';
  }
}

const MAX_STALE_RETRIES = 10;

/**
 * Runs a write transaction, and runs it again when it finds the graph moved under it
 * ({@link StaleResolutionError}). The driver itself re-runs it after deadlocks and other transient
 * errors. Every resolver transaction (batches, rescoring, review decisions) goes through here.
 */
export async function withStaleRetries<T>(
  graph: Pick<Graph, 'writeTransaction'>,
  name: string,
  work: (tx: GraphTx) => Promise<T>,
  onStale?: (attempt: number) => void,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await graph.writeTransaction(name, work);
    } catch (error) {
      if (!(error instanceof StaleResolutionError) || attempt >= MAX_STALE_RETRIES) throw error;
      onStale?.(attempt);
    }
  }
}
