import { randomInt } from 'node:crypto';
import type { GraphTx } from '../../graph/graph-client.js';
import type { RecordMatcher } from '../../matching/record-matcher.js';
import { cutByRule } from './batch-blocks.js';
import { lateBlocks, MATCH_LOG_KEPT, type MatchLogEntry, type MatchLogRow } from './match-log.js';
import type { RuleCounts } from './rule-counts.js';

/**
 * The matching clock: the one lock a matching transaction takes on record matching. Reads and
 * scoring run before it without a lock; once a transaction holds the clock it finds, from the
 * matching log or by reading blocks again, the records other transactions filed under its keys
 * meanwhile (write/lock-matching describes the protocol and why every pair is scored exactly once).
 */

/**
 * write/lock-matching: takes the matching clock, moves it on and logs `entry`; returns the clock
 * as found under the lock and the log entries numbered `seen` to it (none when `seen` is null, as
 * for a rescore page, which locks before it reads).
 */
export async function lockMatching(
  tx: GraphTx,
  deps: { matchLogKept?: number | undefined },
  at: number,
  entry: MatchLogEntry,
  seen: number | null,
): Promise<{ current: number; logs: MatchLogRow[] }> {
  const [locked] = await tx.run<{ current: number; logs: MatchLogRow[] }>('write/lock-matching', {
    now: at,
    // New per transaction: writing it takes the clock's lock before its value is read.
    token: randomInt(2 ** 47),
    seen,
    kept: deps.matchLogKept ?? MATCH_LOG_KEPT,
    rows: entry,
  });
  if (!locked) throw new Error('write/lock-matching answered no row');
  return locked;
}

/**
 * Takes the matching clock (write/lock-matching) and finds the records other transactions filed
 * under the batch's keys since claim-records read the clock: from the matching log, or by reading
 * the blocks again (read/recheck-blocks) where the log cannot tell on its own. Returns, per
 * record, the candidates that read did not return (never the record itself), earlier rules
 * first, within the record's cap: rows shaped as claim-records' ([position, found, ids]). Blocks
 * the late records take past the block size limit, and candidates beyond the cap, are counted by
 * rule.
 */
export async function recheckBlocks(
  tx: GraphTx,
  deps: { matcher: RecordMatcher; matchLogKept?: number | undefined },
  ctx: {
    at: number;
    filed: readonly { id: string; source: string }[];
    slotsOf: readonly (readonly (number | null)[])[];
    entry: MatchLogEntry;
    seen: number;
    /**
     * The first read by record position: every candidate found (its pool), how many of them were
     * scored (the cap's room), block sizes by rule.
     */
    firstRead: ReadonlyMap<
      number,
      { pool: ReadonlyMap<string, number>; scored: number; sizes: ReadonlyMap<number, number> }
    >;
    counts: RuleCounts;
  },
): Promise<[number, number, string[]][]> {
  const { matcher } = deps;
  const { current, logs } = await lockMatching(tx, deps, ctx.at, ctx.entry, ctx.seen);
  // Entries ctx.seen..current: the one numbered ctx.seen may have been read half applied.
  const expected = current - Math.max(ctx.seen, 1) + 1;
  const found: { position: number; rule: number; ids: Iterable<string> }[] = [];
  const probes: [number, number, number, string][] = [];
  const probe = (position: number, rule: number, key: number) =>
    probes.push([position, rule, key, ctx.filed[position]!.source]);
  if (logs.length < expected) {
    // Pruned since: every block of the batch is read again.
    for (const position of ctx.firstRead.keys())
      ctx.slotsOf[position]!.forEach((key, rule) => {
        if (key !== null) probe(position, rule, key);
      });
  } else {
    const blocks = lateBlocks(logs, {
      records: ctx.filed,
      slotsOf: ctx.slotsOf,
      linkOnly: matcher.linkOnly,
    });
    for (const block of blocks) {
      const size = ctx.firstRead.get(block.position)?.sizes.get(block.rule) ?? 0;
      // Skipped as too common when read; blocks only grow.
      if (size > matcher.maxBlockSize) continue;
      // The log's records may include some the read already counted: only the graph can tell.
      if (size + block.ids.size > matcher.maxBlockSize)
        probe(block.position, block.rule, block.key);
      else found.push(block);
    }
  }
  if (probes.length > 0) {
    const [answer] = await tx.run<{ found: [number, number, string[], number][] }>(
      'read/recheck-blocks',
      {
        rows: { probes },
        maxBlock: matcher.maxBlockSize,
        scanLimit: matcher.maxBlockSize + 1,
        linkOnly: matcher.linkOnly,
      },
    );
    if (!answer) throw new Error('read/recheck-blocks answered no row');
    for (const [position, rule, ids, size] of answer.found) {
      if (size <= matcher.maxBlockSize) found.push({ position, rule, ids });
      // Past the limit now; a block already past it at the first read counted then.
      else if ((ctx.firstRead.get(position)?.sizes.get(rule) ?? 0) <= matcher.maxBlockSize)
        ctx.counts.skipped(rule);
    }
  }
  // Per record, each late candidate with the first rule that found it.
  const late = new Map<number, Map<string, number>>();
  // Earlier rules first, as claim-records orders candidates for the cap.
  for (const { position, rule, ids } of found.sort((a, b) => a.rule - b.rule)) {
    const first = ctx.firstRead.get(position)!;
    const own = ctx.filed[position]!.id;
    for (const id of ids) {
      if (id === own || first.pool.has(id)) continue;
      const mine = late.get(position) ?? new Map<string, number>();
      if (!mine.has(id)) mine.set(id, rule);
      late.set(position, mine);
    }
  }
  return [...late].map(([position, ids]) => {
    const room = Math.max(0, matcher.maxCandidates - ctx.firstRead.get(position)!.scored);
    const taken = [...ids.keys()].slice(0, room);
    ctx.counts.cut(position, cutByRule(ids, taken));
    return [position, ids.size, taken];
  });
}
