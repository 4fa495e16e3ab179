import { z } from 'zod';
import type { IdentityEvent } from '../../src/events/event-schema.js';
import {
  type AttributeKind,
  type MatchRecord,
  normalizeDate,
} from '../../src/matching/records/normalize-attributes.js';
import type { EvaluationMode, TruthRecord } from '../datasets/evaluate.js';
import { type Dataset, normalizeRaw, type RawRecord } from '../datasets/peer-datasets.js';

/**
 * Data sets as the identity events a source would send: one event per record, with one
 * `external_id` identifier that names the record, so that results read back through the API can be
 * scored against the data set's truth.
 */

/** The identifier every benchmark record carries: `external_id` `<dataset>:<record id>`. */
export const IDENTIFIER_TYPE = 'external_id';

const isoDate = z.iso.date();

export interface EventWorkload {
  readonly name: string;
  readonly mode: EvaluationMode;
  readonly attributeKinds: Readonly<Record<string, AttributeKind>>;
  /** Events in the order they are sent. */
  readonly events: IdentityEvent[];
  /** The records exactly as the service sees them (same normalisation, same dropped values). */
  readonly records: MatchRecord[];
  readonly truth: readonly TruthRecord[];
  /** Dates of birth that are not calendar dates (sent as they are: attribute warnings). */
  readonly invalidDates: number;
}

/**
 * The `external_id` value of a record, `<dataset>:<record id>`, and back. A record id of digits
 * only (fake_1000's `unique_id`) is written `rec-<id>`: the identifier blocklist refuses `x:0`
 * (a no-value marker), and would refuse fake_1000's record 0.
 */
export const identifierValue = (dataset: string, id: string) =>
  `${dataset}:${/^\d+$/.test(id) ? `rec-${id}` : id}`;
export function recordIdOf(dataset: string, value: string): string {
  const prefix = `${dataset}:`;
  if (!value.startsWith(prefix)) throw new Error(`identifier ${value} is not one of ${dataset}`);
  const id = value.slice(prefix.length);
  return /^rec-\d+$/.test(id) ? id.slice('rec-'.length) : id;
}

/**
 * The attributes a source would send for a raw record: empty cells left out, dates of birth as
 * `YYYY-MM-DD`. A date of birth that is not a calendar date (FEBRL's corrupted copies have e.g.
 * month 45) is sent as it is, `1956-45-18`: the service accepts it, reports an attribute warning
 * and compares it as text.
 */
export function eventAttributes(raw: RawRecord): {
  attributes: Record<string, string>;
  invalidDate: boolean;
} {
  const attributes: Record<string, string> = {};
  let invalidDate = false;
  for (const [name, value] of Object.entries(raw.attributes)) {
    if (value === '') continue;
    if (name === 'dateOfBirth') {
      const shaped = normalizeDate(value) ?? value;
      attributes.dateOfBirth = shaped;
      invalidDate = !isoDate.safeParse(shaped).success;
    } else {
      attributes[name] = value;
    }
  }
  return { attributes, invalidDate };
}

const BASE_TIME = Date.parse('2026-01-01T00:00:00Z');

/**
 * One event per record, in file order, each with one `external_id` and its attributes. `source`
 * is the record's source (FEBRL4: `a` / `b`), otherwise the data set's name. `occurredAt` rises by
 * one second per record, so the order the service resolves events in is the file order.
 */
export function toEventWorkload(
  dataset: Pick<Dataset, 'mode' | 'raw' | 'attributeKinds'> & {
    readonly name: string;
    readonly truth: readonly TruthRecord[];
  },
  options: { name?: string; firstSecond?: number } = {},
): EventWorkload {
  const name = options.name ?? dataset.name;
  let invalidDates = 0;
  const sent: { id: string; source?: string; attributes: Record<string, string> }[] = [];
  const events = dataset.raw.map((raw, index): IdentityEvent => {
    const { attributes, invalidDate } = eventAttributes(raw);
    if (invalidDate) invalidDates += 1;
    sent.push({
      id: raw.id,
      ...(raw.source === undefined ? {} : { source: raw.source }),
      attributes,
    });
    return {
      id: raw.id,
      source: raw.source ?? name,
      occurredAt: new Date(BASE_TIME + ((options.firstSecond ?? 0) + index) * 1000).toISOString(),
      identifiers: [{ type: IDENTIFIER_TYPE, value: identifierValue(name, raw.id) }],
      attributes,
    };
  });
  return {
    name,
    mode: dataset.mode,
    attributeKinds: dataset.attributeKinds,
    events,
    records: normalizeRaw(sent, dataset.attributeKinds),
    truth: dataset.truth,
    invalidDates,
  };
}
