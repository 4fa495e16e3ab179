import type { GraphTx } from '../../graph/graph-client.js';
import { parseRecordValues } from '../../matching/record-matcher.js';
import { StaleResolutionError } from '../transaction-retry.js';
import type { CandidatePool } from './batch-blocks.js';
import type { CandidateCache } from './candidate-cache.js';
import { type AnchorRow, type Candidate, completePending, type Scoring } from './record-scoring.js';

/**
 * What scoring needs of candidate records that claim-records named by id only, read without a
 * lock: their keys (to order candidates beyond the cap), their values, and the anchors and
 * purposes of those that matched. Values come from the worker's candidate cache where it has them
 * (they never change), and are cached once read. A row missing from an answer means the graph
 * moved under the transaction: it starts again.
 */

/** A row of read/candidate-records. */
interface StoredCandidate {
  id: string;
  key: string;
  source: string;
  values: string;
  anchorKey: string;
}

/**
 * Event keys of the candidates of records with more than `cap` of them, which order those
 * candidates: from the batch, the cache, or read/candidate-keys (keys only: such a record
 * may have thousands of candidates, and only `cap` of them are read).
 */
export async function candidateKeys(
  tx: GraphTx,
  cache: CandidateCache | undefined,
  candidateOf: ReadonlyMap<string, Candidate>,
  pools: readonly CandidatePool[],
  cap: number,
): Promise<Map<string, string>> {
  const keyOf = new Map<string, string>();
  const missing = new Set<string>();
  for (const { pool } of pools) {
    if (pool.size <= cap) continue;
    for (const id of pool.keys()) {
      const key = candidateOf.get(id)?.key ?? cache?.get(id)?.key;
      if (key !== undefined) keyOf.set(id, key);
      else missing.add(id);
    }
  }
  if (missing.size === 0) return keyOf;
  const rows = await tx.run<{ id: string; key: string }>('read/candidate-keys', {
    ids: [...missing].sort(),
  });
  if (rows.length !== missing.size) throw new StaleResolutionError();
  for (const { id, key } of rows) keyOf.set(id, key);
  return keyOf;
}

/**
 * Adds the candidates named in the rows of `found` ([position, found, ids, ...]) that
 * `candidateOf` lacks: from the cache, or read with read/candidate-records and cached.
 */
export async function readCandidates(
  tx: GraphTx,
  cache: CandidateCache | undefined,
  candidateOf: Map<string, Candidate>,
  found: readonly (readonly [number, number, readonly string[], ...unknown[]])[],
): Promise<void> {
  const missing = new Set<string>();
  for (const [, , ids] of found)
    for (const id of ids) {
      if (candidateOf.has(id)) continue;
      const cached = cache?.get(id);
      if (cached) candidateOf.set(id, cached);
      else missing.add(id);
    }
  if (missing.size === 0) return;
  const rows = await tx.run<StoredCandidate>('read/candidate-records', {
    ids: [...missing].sort(),
  });
  for (const { id, key, source, values, anchorKey } of rows) {
    const stored = { id, key, record: parseRecordValues(key, source, values), anchorKey };
    cache?.set(id, stored);
    candidateOf.set(id, stored);
  }
  if (rows.length !== missing.size) throw new StaleResolutionError();
}

/**
 * Purposes and anchors of the matched candidates that lack them (read/candidate-anchors); anchors
 * found here were read without a lock (`unchecked`: write/lock-persons reads them again under the
 * persons' locks).
 */
export async function readAnchors(tx: GraphTx, s: Scoring): Promise<void> {
  if (s.pending.size === 0) return;
  const rows = await tx.run<AnchorRow>('read/candidate-anchors', {
    ids: [...s.pending.keys()].sort(),
  });
  if (rows.length !== s.pending.size) throw new StaleResolutionError();
  completePending(s, rows);
  s.pending.clear();
}
