import { attributesSchema } from '../events/event-schema.js';

/**
 * How a CSV file maps onto identity events: the header names each column's role (docs/cli.md).
 * `id`, `source`, `occurredAt` are the event's fields; a column named after a known identifier type
 * holds identifier values (repeat the column for several values of one type); `consent_<purpose>`
 * holds true/false; every other column is an attribute. Empty cells are skipped.
 */

export type Column =
  | { kind: 'field'; name: 'id' | 'source' | 'occurredAt' }
  | { kind: 'identifier'; type: string }
  | { kind: 'consent'; purpose: string }
  | { kind: 'attribute'; name: string }
  | { kind: 'ignored' };

/** The file cannot be read as events at all (a header problem): the run stops with exit code 2. */
export class EventFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EventFileError';
  }
}

const fields = new Set(['id', 'source', 'occurredAt']);
const knownAttributes = new Set(Object.keys(attributesSchema.shape));
const purposePattern = /^[a-z][a-z0-9_]{0,63}$/;
const CONSENT_PREFIX = 'consent_';

export interface ColumnPlan {
  columns: Column[];
  /** Things worth telling the user about the header (ignored or unfamiliar columns); never fatal. */
  notices: string[];
}

/** Reads the header. Throws {@link EventFileError} when no row could ever become a valid event. */
export function planColumns(
  header: readonly string[],
  identifierTypes: ReadonlySet<string>,
  options: { sourceDefault?: string | undefined } = {},
): ColumnPlan {
  const notices: string[] = [];
  const seen = new Set<string>();
  const columns = header.map((raw, index): Column => {
    const name = raw.trim();
    if (name === '') {
      notices.push(`column ${index + 1} has no name: ignored`);
      return { kind: 'ignored' };
    }
    // Fields first: a custom identifier type may not take over `id` or `source`.
    if (!fields.has(name) && identifierTypes.has(name)) return { kind: 'identifier', type: name };
    if (seen.has(name)) throw new EventFileError(`column "${name}" appears twice in the header`);
    seen.add(name);
    if (name === 'id' || name === 'source' || name === 'occurredAt') return { kind: 'field', name };
    if (name.startsWith(CONSENT_PREFIX)) {
      const purpose = name.slice(CONSENT_PREFIX.length);
      if (!purposePattern.test(purpose)) {
        throw new EventFileError(
          `column "${name}": a consent purpose is lower_snake_case, at most 64 characters`,
        );
      }
      return { kind: 'consent', purpose };
    }
    if (!knownAttributes.has(name)) {
      notices.push(
        `column "${name}" is neither an identifier type nor a known attribute: read as attribute "${name}"`,
      );
    }
    return { kind: 'attribute', name };
  });
  const missing = [...fields].filter(
    (f) => !seen.has(f) && !(f === 'source' && options.sourceDefault),
  );
  if (missing.length > 0) {
    const hint = missing.includes('source') ? ' (or pass --source)' : '';
    throw new EventFileError(
      `the header has no ${missing.map((m) => `"${m}"`).join(', ')} column${hint}`,
    );
  }
  if (!columns.some((c) => c.kind === 'identifier')) {
    throw new EventFileError(
      `the header has no identifier column; name identifier columns by type: ${[...identifierTypes].join(', ')}`,
    );
  }
  return { columns, notices };
}

const truthy = new Set(['true', 'yes', '1']);
const falsy = new Set(['false', 'no', '0']);

/**
 * One data row as an event candidate, still to be validated by `eventSchema`. Fails only on what
 * the schema cannot see: a wrong number of cells or an unreadable consent cell.
 */
export function rowToCandidate(
  row: readonly string[],
  columns: readonly Column[],
): { ok: true; candidate: Record<string, unknown> } | { ok: false; error: string } {
  if (row.length !== columns.length) {
    return { ok: false, error: `expected ${columns.length} fields, found ${row.length}` };
  }
  const candidate: Record<string, unknown> = {};
  const identifiers: { type: string; value: string }[] = [];
  const attributes: Record<string, string> = {};
  const purposes: Record<string, boolean> = {};
  for (const [index, column] of columns.entries()) {
    const cell = row[index]!;
    if (cell.trim() === '') continue;
    switch (column.kind) {
      case 'field':
        candidate[column.name] = cell.trim();
        break;
      case 'identifier':
        // Raw, untrimmed: normalisation is the resolver's job, exactly as for the API.
        identifiers.push({ type: column.type, value: cell });
        break;
      case 'attribute':
        attributes[column.name] = cell.trim();
        break;
      case 'consent': {
        const flag = cell.trim().toLowerCase();
        if (truthy.has(flag)) purposes[column.purpose] = true;
        else if (falsy.has(flag)) purposes[column.purpose] = false;
        else
          return { ok: false, error: `${CONSENT_PREFIX}${column.purpose}: expected true or false` };
        break;
      }
      case 'ignored':
        break;
    }
  }
  candidate.identifiers = identifiers;
  if (Object.keys(attributes).length > 0) candidate.attributes = attributes;
  if (Object.keys(purposes).length > 0) candidate.consent = { purposes };
  return { ok: true, candidate };
}
