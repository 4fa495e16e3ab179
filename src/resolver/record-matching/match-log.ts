import { MAX_BLOCKING_RULES } from '../../matching/records/blocking.js';

/**
 * The matching log: what concurrent matching transactions tell each other about the records they
 * file, so that a batch that read and scored its candidates without a lock can find, once it holds
 * the matching clock, the records other batches committed meanwhile (write/lock-matching describes
 * the protocol and why every pair is scored exactly once).
 *
 * An entry is one committed batch (or rescore page): its record ids, their sources, and their
 * blocking keys as {@link MAX_BLOCKING_RULES} slots per record, -1 where a rule gives none (graph
 * lists hold no nulls). Keys are the same keyed hashes the records carry; the clock keeps the last
 * {@link MATCH_LOG_KEPT} entries only.
 */

/** Entries the clock keeps; a batch that saw the clock longer ago reads its blocks again instead. */
export const MATCH_LOG_KEPT = 64;

/** A log entry as write/lock-matching writes it. */
export interface MatchLogEntry {
  records: string[];
  sources: string[];
  keys: number[];
}

/** A log entry as write/lock-matching returns it. */
export type MatchLogRow = [seq: number, records: string[], sources: string[], keys: number[]];

/** The entry a batch writes: its records that have keys, with their slots flattened. */
export function matchLogEntry(
  records: readonly { id: string; source: string }[],
  slotsOf: readonly (readonly (number | null)[])[],
): MatchLogEntry {
  const entry: MatchLogEntry = { records: [], sources: [], keys: [] };
  records.forEach((record, position) => {
    const slots = slotsOf[position]!;
    if (slots.every((key) => key === null)) return;
    entry.records.push(record.id);
    entry.sources.push(record.source);
    for (let rule = 0; rule < MAX_BLOCKING_RULES; rule++) entry.keys.push(slots[rule] ?? -1);
  });
  return entry;
}

/** One block of one of the batch's records, and the records the log adds to it. */
export interface LateBlock {
  position: number;
  rule: number;
  key: number;
  ids: Set<string>;
}

/**
 * The records that `logs` filed under the blocking keys of the batch's records, per record and
 * rule: never the record itself, and with `linkOnly` never one of the same source. They may include
 * records the batch's own read already returned (the caller drops those).
 */
export function lateBlocks(
  logs: readonly MatchLogRow[],
  batch: {
    records: readonly { id: string; source: string }[];
    slotsOf: readonly (readonly (number | null)[])[];
    linkOnly: boolean;
  },
): LateBlock[] {
  // Per rule, key -> positions of the batch's records filed under it.
  const byKey = Array.from({ length: MAX_BLOCKING_RULES }, () => new Map<number, number[]>());
  batch.slotsOf.forEach((slots, position) =>
    slots.forEach((key, rule) => {
      if (key === null) return;
      const positions = byKey[rule]!.get(key);
      if (positions) positions.push(position);
      else byKey[rule]!.set(key, [position]);
    }),
  );
  const blocks = new Map<string, LateBlock>();
  for (const [, ids, sources, keys] of logs) {
    if (keys.length !== ids.length * MAX_BLOCKING_RULES || sources.length !== ids.length)
      throw new Error('matching log: an entry has one source and one key slot per rule per record');
    for (let i = 0; i < ids.length; i++)
      for (let rule = 0; rule < MAX_BLOCKING_RULES; rule++) {
        const key = keys[i * MAX_BLOCKING_RULES + rule]!;
        if (key < 0) continue;
        const positions = byKey[rule]!.get(key);
        if (!positions) continue;
        for (const position of positions) {
          const mine = batch.records[position]!;
          if (ids[i] === mine.id || (batch.linkOnly && sources[i] === mine.source)) continue;
          const name = `${position}:${rule}`;
          const block = blocks.get(name) ?? { position, rule, key, ids: new Set<string>() };
          block.ids.add(ids[i]!);
          blocks.set(name, block);
        }
      }
  }
  return [...blocks.values()];
}
