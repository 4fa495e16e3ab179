import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { CsvError, type Options as CsvOptions, parse } from 'csv-parse';
import type { z } from 'zod';
import { malformedStrings } from '../events/well-formed-text.js';
import { eventSchema, type IdentityEvent } from '../events/event-schema.js';
import { type ColumnPlan, EventFileError, planColumns, rowToCandidate } from './csv-columns.js';
import { Utf8LineCheck } from './utf8-lines.js';

/**
 * Streams identity events out of an NDJSON or CSV file, one validated event (or one reason) per
 * record, in file order. Nothing is held beyond the record being read: NDJSON goes through readline
 * and CSV through csv-parse, both with back-pressure, so a file of any size reads in constant memory.
 *
 * A bad record never stops the stream: it comes out as `{ line, error }`. Reasons are built from
 * schema paths and codes only, never from the record's text, because identifier values are personal
 * data. Only a file that cannot be read as events at all (an unusable CSV header) throws
 * {@link EventFileError}.
 */

export type EventFileFormat = 'ndjson' | 'csv';

/** One record of the file: its (1-based) line and either the valid event or why it is not one. */
export type ReadItem = { line: number; event: IdentityEvent } | { line: number; error: string };

export interface ReadEventsOptions {
  format: EventFileFormat;
  /** Identifier types the deployment knows (`identifierRegistry(config).types`): CSV columns named so hold identifiers. */
  identifierTypes: Iterable<string>;
  /** Fills a missing or empty `source`. */
  source?: string | undefined;
  /** CSV field delimiter, one character; `,` by default. */
  delimiter?: string | undefined;
  /** Non-fatal remarks about the file (CSV header), for the user. */
  onNotice?: (message: string) => void;
}

/** The format a file name implies, or undefined when it implies none. */
export function formatOfPath(path: string): EventFileFormat | undefined {
  const lower = path.toLowerCase();
  if (lower.endsWith('.csv')) return 'csv';
  if (lower.endsWith('.ndjson') || lower.endsWith('.jsonl') || lower.endsWith('.json'))
    return 'ndjson';
  return undefined;
}

const MAX_ISSUES = 3;
const MAX_REASON = 300;

/** A validation failure as one line: schema paths and zod's messages, which never quote the input. */
export function describeIssues(issues: readonly z.core.$ZodIssue[]): string {
  const parts = issues
    .slice(0, MAX_ISSUES)
    .map((issue) => `${issue.path.join('.') || '(event)'}: ${issue.message}`);
  const more = issues.length > MAX_ISSUES ? ` (and ${issues.length - MAX_ISSUES} more)` : '';
  const reason = parts.join('; ') + more;
  return reason.length > MAX_REASON ? `${reason.slice(0, MAX_REASON - 3)}...` : reason;
}

function validate(
  line: number,
  candidate: Record<string, unknown>,
  source: string | undefined,
): ReadItem {
  const filled =
    source !== undefined && (candidate.source === undefined || candidate.source === '')
      ? { ...candidate, source }
      : candidate;
  // A lone surrogate cannot be stored faithfully: two values differing only there would become one
  // identifier and merge two people. The record is refused like any other bad record.
  const malformed = malformedStrings(filled, '$', 1);
  if (malformed.length > 0) return { line, error: `${malformed[0]}: not well-formed Unicode` };
  const parsed = eventSchema.safeParse(filled);
  return parsed.success
    ? { line, event: parsed.data }
    : { line, error: describeIssues(parsed.error.issues) };
}

/** Reads events from `input` and closes it when done, when it fails, or when the consumer stops early. */
export async function* readEvents(
  input: Readable,
  options: ReadEventsOptions,
): AsyncGenerator<ReadItem, void, undefined> {
  // Bytes that are not UTF-8 would reach the readers as U+FFFD: the check notes where they were.
  const check = new Utf8LineCheck();
  const forward = (error: Error) => check.destroy(error);
  input.on('error', forward);
  input.pipe(check);
  try {
    if (options.format === 'csv') yield* readCsv(check, options);
    else yield* readNdjson(check, options);
  } finally {
    // A late error from a stream we are discarding must not crash the process.
    input.off('error', forward);
    for (const stream of [input, check]) {
      stream.on('error', () => undefined);
      stream.destroy();
    }
  }
}

const NOT_UTF8 = 'not UTF-8 text';

async function* readNdjson(
  input: Utf8LineCheck,
  options: ReadEventsOptions,
): AsyncGenerator<ReadItem, void, undefined> {
  const lines = createInterface({ input, crlfDelay: Infinity });
  // readline ends quietly when its input fails; keep the error and rethrow it after the loop.
  let failure: Error | undefined;
  const onError = (error: unknown) => {
    failure = error instanceof Error ? error : new Error(String(error));
    lines.close();
  };
  input.on('error', onError);
  let line = 0;
  try {
    for await (const text of lines) {
      line += 1;
      const content = line === 1 ? text.replace(/^\uFEFF/, '') : text;
      if (content.trim() === '') continue;
      if (input.isBadLine(line)) {
        yield { line, error: NOT_UTF8 };
        continue;
      }
      let value: unknown;
      try {
        value = JSON.parse(content);
      } catch {
        // V8's message quotes the text around the error: it may hold an identifier value.
        yield { line, error: 'invalid JSON' };
        continue;
      }
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        yield { line, error: 'not a JSON object (one event per line)' };
        continue;
      }
      yield validate(line, value as Record<string, unknown>, options.source);
    }
    if (failure !== undefined) throw failure;
  } finally {
    input.off('error', onError);
    lines.close();
  }
}

/** csv-parse's messages quote the offending characters; report its codes instead. */
function csvProblem(error: CsvError | undefined): string {
  switch (error?.code) {
    case 'CSV_INVALID_CLOSING_QUOTE':
      return 'invalid closing quote';
    case 'CSV_QUOTE_NOT_CLOSED':
      return 'quote not closed';
    case 'CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE':
      return 'unexpected character after a closing quote';
    case 'CSV_MAX_RECORD_SIZE':
      return 'record too large';
    case 'CSV_RECORD_INCONSISTENT_FIELDS_LENGTH':
    case 'CSV_RECORD_INCONSISTENT_COLUMNS':
      return 'wrong number of fields';
    default:
      return `unreadable CSV (${error?.code ?? 'unknown error'})`;
  }
}

const lineOf = (error: CsvError | undefined) =>
  typeof error?.lines === 'number' ? error.lines : 0;

interface ParsedRecord {
  record: string[];
  line: number;
  seq: number;
  /** The record's bytes in the file: [from, to). */
  from: number;
  to: number;
}

async function* readCsv(
  input: Utf8LineCheck,
  options: ReadEventsOptions,
): AsyncGenerator<ReadItem, void, undefined> {
  // csv-parse reports skipped (malformed) records through a callback and good ones through the
  // stream; both are numbered in parse order so the output keeps file order.
  let seq = 0;
  let recordEnd = 0;
  const skipped: { seq: number; line: number; error: string }[] = [];
  const csvOptions: CsvOptions<ParsedRecord, string[]> = {
    bom: true,
    delimiter: options.delimiter ?? ',',
    relax_column_count: true,
    // Lenient quotes, as spreadsheets write them: a stray quote stays in its field (where the
    // resolver judges the value) instead of throwing the parser into a quoted field that swallows
    // the following lines.
    relax_quotes: true,
    skip_empty_lines: true,
    skip_records_with_error: true,
    max_record_size: 1_000_000,
    on_skip: (error) => {
      skipped.push({ seq: seq++, line: lineOf(error), error: csvProblem(error) });
      if (typeof error?.bytes === 'number') recordEnd = error.bytes;
      return undefined;
    },
    on_record: (record, context) => {
      const from = recordEnd;
      recordEnd = context.bytes;
      return { record, line: context.lines, seq: seq++, from, to: context.bytes };
    },
  };
  // The typings tie a record transform to the `columns` option; records here are plain arrays.
  const parser = parse(csvOptions as unknown as CsvOptions);
  const onError = (error: unknown) =>
    parser.destroy(error instanceof Error ? error : new Error(String(error)));
  input.on('error', onError);
  input.pipe(parser);
  const types = new Set(options.identifierTypes);
  let plan: ColumnPlan | undefined;

  function* skippedBefore(at: number): Generator<ReadItem> {
    while (skipped[0] && skipped[0].seq < at) {
      const bad = skipped.shift()!;
      if (!plan)
        throw new EventFileError(`line ${bad.line}: the header is unreadable: ${bad.error}`);
      yield { line: bad.line, error: bad.error };
    }
  }

  try {
    for await (const parsed of parser as AsyncIterable<ParsedRecord>) {
      const { record, line, seq: at } = parsed;
      yield* skippedBefore(at);
      const notUtf8 = input.isBadRange(parsed.from, parsed.to);
      if (!plan) {
        if (notUtf8) throw new EventFileError(`line ${line}: the header is ${NOT_UTF8}`);
        plan = planColumns(record, types, { sourceDefault: options.source });
        for (const notice of plan.notices) options.onNotice?.(notice);
        continue;
      }
      if (notUtf8) {
        yield { line, error: NOT_UTF8 };
        continue;
      }
      const row = rowToCandidate(record, plan.columns);
      yield row.ok ? validate(line, row.candidate, options.source) : { line, error: row.error };
    }
    yield* skippedBefore(Infinity);
  } catch (error) {
    if (error instanceof CsvError)
      throw new EventFileError(`line ${lineOf(error)}: ${csvProblem(error)}`);
    throw error;
  } finally {
    input.off('error', onError);
    input.unpipe(parser);
    parser.destroy();
  }
}
