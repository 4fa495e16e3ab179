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
 * distinct block (read/rescore-blocks), nothing added from the page.
 */

/** Separates the ids of a block read (never inside an id: ids are base64url). */
const SEPARATOR = ' ';

/** Each record's candidate pool (candidate id -> lowest rule that found it); records without keys have none. */
export async function pageCandidatePools(
  tx: GraphTx,
  matcher: Pick<RecordMatcher, 'linkOnly' | 'maxBlockSize'>,
  records: readonly BatchRecord[],
): Promise<CandidatePool[]> {
  const { probes, probeOf } = blockProbes(records, matcher.linkOnly);
  if (probes.keys.every((keys) => keys.length === 0)) return [];
  const [answer] = await tx.run<{ blocks: string[][] }>('read/rescore-blocks', {
    rows: probes,
    maxBlock: matcher.maxBlockSize,
    scanLimit: matcher.maxBlockSize + 1,
    linkOnly: matcher.linkOnly,
    separator: SEPARATOR,
  });
  if (!answer) throw new Error('read/rescore-blocks answered no row');
  // Per rule, the members of each block read, split once; too common and empty alike give none.
  const membersOf = answer.blocks.map((reads) =>
    reads.map((ids) => (ids === '' ? [] : ids.slice(1).split(SEPARATOR))),
  );
  const pools: CandidatePool[] = [];
  records.forEach((record, position) => {
    const reads = probeOf[position]!;
    if (reads.every((index) => index < 0)) return;
    const pool = new Map<string, number>();
    reads.forEach((index, rule) => {
      if (index < 0) return;
      const members = membersOf[rule]?.[index];
      if (!members) throw new Error('read/rescore-blocks answered no read for a block');
      for (const id of members) if (id < record.id && !pool.has(id)) pool.set(id, rule);
    });
    pools.push({ position, pool, sizes: [] });
  });
  return pools;
}
