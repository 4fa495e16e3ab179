import type { Graph } from '../../graph/graph-client.js';
import { newId } from '../../ids.js';
import type { MatchRecord } from '../records/normalize-attributes.js';
import { collectTrainingRecords, type StoredRecordRow } from '../records/stored-record.js';

/**
 * A uniform random sample of the graph's records, read in pages without reading the rest. Record
 * ids are 128 random bits, so the records whose ids follow a random id, in id order, are a uniform
 * random sample of all records: the sample is read from a random id to the end of the id index, and
 * on from its start, until it is large enough or every record has been read. Each page is one seek
 * in the id index.
 *
 * Records whose event refused identity_linking are not matched, nor used to learn matching: they
 * are skipped, as are records whose stored values do not parse. The records are personal data: the
 * caller holds them in memory for the estimate only.
 */

export interface RecordSample {
  readonly records: MatchRecord[];
  /** Records read but not used (linking refused, values unreadable). */
  readonly skipped: number;
}

/** Records per read: a few MB of values. */
const PAGE_SIZE = 5_000;

/** Above every id: the first range runs to the end of the index. */
const END = '\uffff';

export async function sampleRecords(
  graph: Pick<Graph, 'query'>,
  options: { size: number; pageSize?: number; signal?: AbortSignal; start?: string },
): Promise<RecordSample> {
  const start = options.start ?? newId('rec');
  const pageSize = options.pageSize ?? PAGE_SIZE;
  const records: MatchRecord[] = [];
  let skipped = 0;
  // From the random id to the end, then from the beginning up to it.
  for (const range of [
    { after: start, before: END },
    { after: '', before: start },
  ]) {
    let after = range.after;
    while (records.length < options.size) {
      options.signal?.throwIfAborted();
      const limit = Math.min(pageSize, options.size - records.length);
      const rows = await graph.query<StoredRecordRow & { id: string }>('read/records-sample', {
        after,
        before: range.before,
        limit,
      });
      skipped += collectTrainingRecords(rows, records);
      if (rows.length < limit) break;
      after = rows[rows.length - 1]!.id;
    }
  }
  return { records, skipped };
}
