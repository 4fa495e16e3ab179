import type { GraphTx } from '../../graph/graph-client.js';
import type { RecordMatcher } from '../../matching/record-matcher.js';
import {
  type BatchRecord,
  blockProbes,
  type CandidatePool,
} from '../record-matching/batch-blocks.js';

/**
 * The candidates of a rescore page's records: every record filed under one of a record's blocking
 * keys whose id is smaller than the record's own, earlier rules first, blocks of more than
 * MATCH_MAX_BLOCK_SIZE records skipped (and, in link mode, records of the same source left out), as
 * ingestion finds candidates. Rescoring walks records in id order, so each pair is scored once, by
 * the record with the larger id; the ids come straight from the (block<k>, id) indexes, so the
 * order costs no property read. All records are committed, the page's own included: one read per
 * distinct block (read/recheck-blocks), nothing added from the page.
 */

/** A block read of read/recheck-blocks: [index in its rule's list, rule, key, source]. */
type Probe = [index: number, rule: number, key: number, source: string];

/** Each record's candidate pool (candidate id -> lowest rule that found it); records without keys have none. */
export async function pageCandidatePools(
  tx: GraphTx,
  matcher: Pick<RecordMatcher, 'linkOnly' | 'maxBlockSize'>,
  records: readonly BatchRecord[],
): Promise<CandidatePool[]> {
  const { probes, probeOf } = blockProbes(records, matcher.linkOnly);
  const rows: Probe[] = probes.keys.flatMap((keys, rule) =>
    keys.map((key, index): Probe => [index, rule, key, probes.sources[rule]?.[index] ?? '']),
  );
  if (rows.length === 0) return [];
  const [answer] = await tx.run<{ found: [number, number, string[]][] }>('read/recheck-blocks', {
    rows: { probes: rows },
    maxBlock: matcher.maxBlockSize,
    scanLimit: matcher.maxBlockSize + 1,
    linkOnly: matcher.linkOnly,
  });
  if (!answer) throw new Error('read/recheck-blocks answered no row');
  // Per rule, the members of each block read. A read answers one row per rule branch, the other
  // rules' empty; a block too common is left out (no candidates either way).
  const membersOf = probes.keys.map(() => new Map<number, readonly string[]>());
  for (const [index, rule, ids] of answer.found)
    if (ids.length > 0) membersOf[rule]!.set(index, ids);
  const pools: CandidatePool[] = [];
  records.forEach((record, position) => {
    const reads = probeOf[position]!;
    if (reads.every((index) => index < 0)) return;
    const pool = new Map<string, number>();
    reads.forEach((index, rule) => {
      for (const id of (index < 0 ? undefined : membersOf[rule]!.get(index)) ?? [])
        if (id < record.id && !pool.has(id)) pool.set(id, rule);
    });
    pools.push({ position, pool, sizes: [] });
  });
  return pools;
}
