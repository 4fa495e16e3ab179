import type { Graph } from '../graph/graph-client.js';
import { type ExportFormat, pageFormatter } from './export-format.js';
import {
  type ExportTable,
  type IdentifierPageRow,
  identifierRows,
  type LinkPageRow,
  linkRows,
} from './export-rows.js';

/**
 * `idgraph export`: the identifier -> person mapping, or the links, streamed to a writable in
 * constant memory. The graph is read page by page, keyset-paginated on the identifier key's unique
 * index, each page its own short read (retried on transient errors like any read); while a page is
 * written the next one is read, so at most two pages are held. A write the sink cannot take yet
 * (`write` returned false) waits for its `drain`: a slow consumer (`| gzip`, a network disk) slows
 * the reads down instead of filling memory.
 *
 * Consistency: each page is read at its own moment, not from one snapshot. Every identifier that
 * exists for the whole export is written exactly once, with the person it had when its page was
 * read; an identifier moved by a merge or split during the export may show its old or its new
 * person, and identifiers created or erased meanwhile may be missing or present.
 */

export const EXPORT_PAGE_SIZE = 5_000;

/** The sink failed or closed (EPIPE when the reader of a pipe went away, ENOSPC, ...). */
export class ExportOutputError extends Error {
  constructor(cause: unknown) {
    const code = (cause as { code?: unknown } | undefined)?.code;
    super(typeof code === 'string' ? code : cause instanceof Error ? cause.message : 'failed', {
      cause,
    });
    this.name = 'ExportOutputError';
  }
}

/** Where the export goes: process.stdout, a file stream, or a test's buffer. */
export interface ExportSink {
  /** False: the sink's buffer is full; wait for `drain` before writing more. */
  write(chunk: string): unknown;
  once?(event: 'drain' | 'error' | 'close', listener: (error?: unknown) => void): unknown;
  removeListener?(event: 'drain' | 'error' | 'close', listener: (error?: unknown) => void): unknown;
}

export interface ExportProgress {
  table: ExportTable;
  /** Rows written so far. */
  rows: number;
  /** Identifiers read so far (for links: the identifiers whose links were written). */
  identifiersRead: number;
  bytes: number;
}

export interface ExportOptions {
  table: ExportTable;
  format: ExportFormat;
  sink: ExportSink;
  pageSize?: number;
  /** Checked between pages: an aborted export stops with what it has written (`interrupted`). */
  signal?: AbortSignal;
  onProgress?(progress: ExportProgress): void;
}

export interface ExportReport extends ExportProgress {
  format: ExportFormat;
  /** Identifiers without an active person, not exported (the graph's invariants say none). */
  skipped: number;
  interrupted: boolean;
  elapsedMs: number;
}

/** The rows ahead of an export: its progress bar's total. */
export async function exportTotals(
  graph: Pick<Graph, 'query'>,
): Promise<{ identifiers: number; links: number }> {
  const [row] = await graph.query<{ identifiers: number; links: number }>('read/export-totals');
  return { identifiers: row?.identifiers ?? 0, links: row?.links ?? 0 };
}

/** Writes `chunk`, then waits until the sink wants more (or fails). */
async function writeChunk(sink: ExportSink, chunk: string): Promise<void> {
  let written: unknown;
  try {
    written = sink.write(chunk);
  } catch (error) {
    throw new ExportOutputError(error);
  }
  if (written !== false || !sink.once || !sink.removeListener) return;
  const { once, removeListener } = {
    once: sink.once.bind(sink),
    removeListener: sink.removeListener.bind(sink),
  };
  await new Promise<void>((resolve, reject) => {
    const settle = (error?: unknown) => {
      removeListener('drain', onDrain);
      removeListener('error', onError);
      removeListener('close', onClose);
      if (error) reject(new ExportOutputError(error));
      else resolve();
    };
    const onDrain = () => settle();
    const onError = (error?: unknown) => settle(error ?? new Error('output failed'));
    const onClose = () => settle(new Error('output closed'));
    once('drain', onDrain);
    once('error', onError);
    once('close', onClose);
  });
}

type Page = { rows: object[]; read: number; lastKey: string | undefined };

function pageReader(graph: Pick<Graph, 'query'>, table: ExportTable, pageSize: number) {
  return async (after: string): Promise<Page> => {
    const params = { after, limit: pageSize };
    if (table === 'identifiers') {
      const page = await graph.query<IdentifierPageRow>('read/export-identifiers-page', params);
      return { rows: identifierRows(page), read: page.length, lastKey: page.at(-1)?.key };
    }
    const page = await graph.query<LinkPageRow>('read/export-links-page', params);
    return { rows: linkRows(page), read: page.length, lastKey: page.at(-1)?.key };
  };
}

export async function runExport(
  deps: { graph: Pick<Graph, 'query'> },
  options: ExportOptions,
): Promise<ExportReport> {
  const { table, format, sink, signal } = options;
  const pageSize = options.pageSize ?? EXPORT_PAGE_SIZE;
  const started = performance.now();
  const formatter = pageFormatter(format, table);
  const read = pageReader(deps.graph, table, pageSize);
  const progress: ExportProgress = { table, rows: 0, identifiersRead: 0, bytes: 0 };
  let skipped = 0;
  let interrupted = false;

  // A sink's error between two writes (a pipe closed while a page was read) fails the next one.
  let failure: unknown;
  const onError = (error?: unknown) => void (failure ??= error ?? new Error('output failed'));
  sink.once?.('error', onError);
  const emit = async (text: string) => {
    if (failure !== undefined) throw new ExportOutputError(failure);
    if (text.length === 0) return;
    progress.bytes += Buffer.byteLength(text);
    await writeChunk(sink, text);
  };
  try {
    return await pages();
  } finally {
    sink.removeListener?.('error', onError);
  }

  async function pages(): Promise<ExportReport> {
    await emit(formatter.header());
    let next: Promise<Page> | undefined = read('');
    while (next) {
      const page: Page = await next;
      // The next page is read while this one is written: it starts after this page's last key.
      next = page.read === pageSize && page.lastKey !== undefined ? read(page.lastKey) : undefined;
      // A read still in flight when the write fails must not end as an unhandled rejection.
      next?.catch(() => undefined);
      await emit(formatter.page(page.rows));
      progress.rows += page.rows.length;
      progress.identifiersRead += page.read;
      if (table === 'identifiers') skipped += page.read - page.rows.length;
      options.onProgress?.({ ...progress });
      if (signal?.aborted && next) {
        interrupted = true;
        break;
      }
    }
    return {
      ...progress,
      format,
      skipped,
      interrupted,
      elapsedMs: performance.now() - started,
    };
  }
}
