import { stringify } from 'csv-stringify/sync';
import { exportColumns, type ExportTable } from './export-rows.js';

/**
 * Turns a page of export rows into text: NDJSON (one JSON object a line, keys in column order) or
 * RFC 4180 CSV (csv-stringify: a field holding a comma, quote or line break is quoted, quotes
 * doubled; a header row first). A page is formatted whole and written as one chunk, so memory is
 * bounded by the page size. In CSV a list (purposes, sources) is one cell holding its JSON array
 * and an absent value an empty cell; NDJSON keeps lists and nulls as they are.
 */

export type ExportFormat = 'ndjson' | 'csv';

export interface PageFormatter {
  /** What comes before the first row (the CSV header), also for an empty export. */
  header(): string;
  page(rows: readonly object[]): string;
}

function cell(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

export function pageFormatter(format: ExportFormat, table: ExportTable): PageFormatter {
  const columns: readonly string[] = exportColumns[table];
  if (format === 'ndjson') {
    // Rows are built with their keys in column order (export-rows.ts): stringified as they are.
    return {
      header: () => '',
      page: (rows) =>
        rows.length === 0 ? '' : `${rows.map((r) => JSON.stringify(r)).join('\n')}\n`,
    };
  }
  return {
    header: () => stringify([columns]),
    page: (rows) =>
      rows.length === 0
        ? ''
        : stringify(
            rows.map((row) => columns.map((c) => cell((row as Record<string, unknown>)[c]))),
          ),
  };
}
