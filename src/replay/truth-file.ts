import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { parse } from 'csv-parse';
import type { IdentifierRegistry } from '../resolver/identifier-types.js';

/**
 * A truth file for `idgraph diff --truth`: which identifiers are one real entity. CSV with the
 * header `identifier_type,identifier_value,entity_id`, or NDJSON lines
 * `{"identifier_type": ..., "identifier_value": ..., "entity_id": ...}` (by the file name:
 * `.ndjson` / `.jsonl` / `.json`, else CSV). Values are normalised as ingestion normalises them,
 * so the file may hold them as the sources sent them; a value the rules reject is counted, not
 * compared. Held in memory as key -> entity (the reference every identifier is looked up in).
 */

export class TruthFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TruthFileError';
  }
}

export interface Truth {
  /** Normalised identifier key -> entity id. */
  entityOf: Map<string, string>;
  /** Lines whose identifier the rules reject (invalid or blocked values). */
  rejected: number;
}

interface TruthLine {
  identifier_type?: unknown;
  identifier_value?: unknown;
  entity_id?: unknown;
}

async function* lines(file: string): AsyncGenerator<[TruthLine, number]> {
  if (/\.(nd)?jsonl?$|\.json$/i.test(file)) {
    let n = 0;
    for await (const line of createInterface({
      input: createReadStream(file),
      crlfDelay: Infinity,
    })) {
      n += 1;
      if (line.trim() === '') continue;
      try {
        yield [JSON.parse(line) as TruthLine, n];
      } catch {
        throw new TruthFileError(`line ${n}: not JSON`);
      }
    }
    return;
  }
  const parser = createReadStream(file).pipe(
    parse({ columns: true, skip_empty_lines: true, trim: true, bom: true }),
  );
  let n = 1;
  for await (const record of parser as AsyncIterable<TruthLine>) yield [record, ++n];
}

export async function readTruthFile(
  file: string,
  registry: Pick<IdentifierRegistry, 'normalize'>,
): Promise<Truth> {
  const entityOf = new Map<string, string>();
  let rejected = 0;
  for await (const [line, n] of lines(file)) {
    const { identifier_type: type, identifier_value: value, entity_id: entity } = line;
    if (typeof type !== 'string' || typeof value !== 'string')
      throw new TruthFileError(
        `line ${n}: identifier_type and identifier_value (strings) are required`,
      );
    if (typeof entity !== 'string' && typeof entity !== 'number')
      throw new TruthFileError(`line ${n}: entity_id is required`);
    const normalized = registry.normalize(type, value);
    if (!normalized.ok) {
      rejected += 1;
      continue;
    }
    entityOf.set(normalized.key, String(entity));
  }
  return { entityOf, rejected };
}
