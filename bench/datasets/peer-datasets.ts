import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EvaluationMode, TruthRecord } from './evaluate.js';
import {
  type AttributeKind,
  type MatchRecord,
  normalizeRecord,
  type RawAttributes,
} from '../../src/matching/records/normalize-attributes.js';

/**
 * The peer benchmark data sets, read in place from shared/data (never copied into the repo) and
 * mapped to idgraph attributes. Truth: FEBRL records `rec-N-org` / `rec-N-dup-k` are one person per
 * N; fake_1000 records are one person per `cluster`.
 */

/** One record as the file has it (trimmed strings; empty cells are ''), with its idgraph attribute names. */
export interface RawRecord {
  readonly id: string;
  readonly source?: string;
  readonly attributes: Readonly<Record<string, string>>;
}

export interface Dataset {
  readonly name: 'febrl3' | 'febrl4' | 'fake_1000';
  readonly mode: EvaluationMode;
  /** The records before normalisation, in file order (what a source would send). */
  readonly raw: RawRecord[];
  /** Kinds of the extra (non-standard) attributes, as a model file declares them. */
  readonly attributeKinds: Readonly<Record<string, AttributeKind>>;
  /** `raw`, normalised (same order and ids). */
  readonly records: MatchRecord[];
  readonly truth: TruthRecord[];
}

/** Normalises raw records exactly as the matcher does, with the data set's attribute kinds. */
export function normalizeRaw(
  raw: readonly { id: string; source?: string; attributes: RawAttributes }[],
  attributeKinds: Readonly<Record<string, AttributeKind>>,
): MatchRecord[] {
  return raw.map((r) => normalizeRecord(r, { attributeKinds }));
}

/** shared/data next to the repository (this file is bench/datasets/ in the repo). */
export const DEFAULT_DATA_DIR = join(import.meta.dirname, '..', '..', '..', 'shared', 'data');

/** The files have no quoting (checked); FEBRL separates with ", ", so fields are trimmed. */
function readCsv(path: string): Record<string, string>[] {
  const lines = readFileSync(path, 'utf8')
    .split(/\r?\n/)
    .filter((line) => line.length > 0);
  const header = lines[0]!.split(',').map((h) => h.trim());
  return lines.slice(1).map((line) => {
    const cells = line.split(',');
    return Object.fromEntries(header.map((h, i) => [h, (cells[i] ?? '').trim()]));
  });
}

const FEBRL_KINDS: Readonly<Record<string, AttributeKind>> = { address2: 'text', socSecId: 'code' };

function febrlRecords(path: string, source?: string): { raw: RawRecord[]; truth: TruthRecord[] } {
  const rows = readCsv(path);
  const raw = rows.map((row) => ({
    id: row.rec_id!,
    ...(source === undefined ? {} : { source }),
    attributes: {
      firstName: row.given_name!,
      lastName: row.surname!,
      streetNumber: row.street_number!,
      street: row.address_1!,
      address2: row.address_2!,
      city: row.suburb!,
      postcode: row.postcode!,
      state: row.state!,
      dateOfBirth: row.date_of_birth!,
      socSecId: row.soc_sec_id!,
    },
  }));
  const truth = rows.map((row) => ({
    id: row.rec_id!,
    entity: /^(rec-\d+)/.exec(row.rec_id!)![1]!,
    ...(source === undefined ? {} : { source }),
  }));
  return { raw, truth };
}

export function loadFebrl3(dataDir = DEFAULT_DATA_DIR): Dataset {
  const { raw, truth } = febrlRecords(join(dataDir, 'febrl', 'dataset3.csv'));
  return {
    name: 'febrl3',
    mode: 'dedupe',
    raw,
    attributeKinds: FEBRL_KINDS,
    records: normalizeRaw(raw, FEBRL_KINDS),
    truth,
  };
}

export function loadFebrl4(dataDir = DEFAULT_DATA_DIR): Dataset {
  const a = febrlRecords(join(dataDir, 'febrl', 'dataset4a.csv'), 'a');
  const b = febrlRecords(join(dataDir, 'febrl', 'dataset4b.csv'), 'b');
  // Both files use the same rec ids for the two sides of a link: prefix by source to keep ids unique.
  const raw = [...a.raw, ...b.raw].map((r) => ({ ...r, id: `${r.source}:${r.id}` }));
  return {
    name: 'febrl4',
    mode: 'link',
    raw,
    attributeKinds: FEBRL_KINDS,
    records: normalizeRaw(raw, FEBRL_KINDS),
    truth: [...a.truth, ...b.truth].map((t) => ({ ...t, id: `${t.source}:${t.id}` })),
  };
}

export function loadFake1000(dataDir = DEFAULT_DATA_DIR): Dataset {
  const rows = readCsv(join(dataDir, 'fake_1000', 'fake_1000.csv'));
  const attributeKinds: Record<string, AttributeKind> = { email: 'code', emailUser: 'code' };
  const raw = rows.map((row) => {
    const email = row.email ?? '';
    const at = email.indexOf('@');
    return {
      id: row.unique_id!,
      attributes: {
        firstName: row.first_name!,
        lastName: row.surname!,
        dateOfBirth: row.dob!,
        city: row.city!,
        email,
        emailUser: at > 0 ? email.slice(0, at) : '',
      },
    };
  });
  const truth = rows.map((row) => ({ id: row.unique_id!, entity: row.cluster! }));
  return {
    name: 'fake_1000',
    mode: 'dedupe',
    raw,
    attributeKinds,
    records: normalizeRaw(raw, attributeKinds),
    truth,
  };
}
