import { type FileHandle, open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type { ExportFormat } from '../../export/export-format.js';
import {
  EXPORT_PAGE_SIZE,
  ExportOutputError,
  type ExportProgress,
  type ExportReport,
  type ExportSink,
  exportTotals,
  runExport,
} from '../../export/export-run.js';
import type { ExportTable } from '../../export/export-rows.js';
import { CliError, type CliContext, connectGraph, ExitCode } from '../cli-context.js';
import { type ExportSnapshot, startExportProgress } from '../export-progress.js';
import { formatBytes, formatCount, formatDuration, ratePerSecond } from '../format.js';

/** `idgraph export`'s options. */
export interface ExportCommandOptions {
  format: ExportFormat;
  links: boolean;
  output?: string | undefined;
  pageSize: number;
  progress: boolean;
  /** Seconds between plain progress lines (with `--progress` when stderr is not a terminal). */
  progressInterval: number;
}

export { EXPORT_PAGE_SIZE };

/** A file written under a temporary name and renamed into place once complete. */
interface OutputFile {
  path: string;
  temporary: string;
  handle: FileHandle;
  stream: ReturnType<FileHandle['createWriteStream']>;
}

const codeOf = (error: unknown) => {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? code : 'failed';
};

async function openOutput(path: string): Promise<OutputFile> {
  const full = resolve(path);
  const temporary = join(dirname(full), `.${basename(full)}.${process.pid}.partial`);
  try {
    const handle = await open(temporary, 'wx');
    return { path: full, temporary, handle, stream: handle.createWriteStream() };
  } catch (error) {
    throw new CliError(`cannot write --output ${path}: ${codeOf(error)}`, ExitCode.usage);
  }
}

async function finishOutput(file: OutputFile): Promise<void> {
  await new Promise<void>((done, fail) => {
    file.stream.once('error', fail);
    file.stream.end(() => done());
  });
  await rename(file.temporary, file.path);
}

/**
 * `idgraph export`: the identifier -> person mapping (or with `--links` the links) of the graph as
 * NDJSON or CSV, to stdout (so `| gzip` works) or to `--output` (written under a temporary name and
 * renamed when complete, so a file of that name is always a whole export). Progress on stderr
 * when it is a terminal or with `--progress`; a summary line on stderr at the end. Memory stays
 * flat whatever the graph's size (src/export/export-run.ts).
 */
export async function exportCommand(
  ctx: CliContext,
  options: ExportCommandOptions,
): Promise<ExitCode> {
  const table: ExportTable = options.links ? 'links' : 'identifiers';
  const graph = await connectGraph(ctx);
  let file: OutputFile | undefined;
  try {
    const total = (await exportTotals(graph))[table];
    file = options.output === undefined ? undefined : await openOutput(options.output);
    const sink: ExportSink = file?.stream ?? ctx.io.stdout;
    const started = performance.now();
    let latest: ExportProgress | undefined;
    const snapshot = (): ExportSnapshot => ({
      what: table,
      rows: latest?.rows ?? 0,
      total,
      bytes: latest?.bytes ?? 0,
      elapsedMs: performance.now() - started,
    });
    const progress = startExportProgress(ctx.io.stderr, snapshot, {
      mode: ctx.io.stderr.isTTY ? 'bar' : options.progress ? 'lines' : 'off',
      intervalMs: options.progressInterval * 1000,
    });
    let report: ExportReport;
    try {
      report = await runExport(
        { graph },
        {
          table,
          format: options.format,
          sink,
          pageSize: options.pageSize,
          signal: ctx.signal,
          onProgress: (p) => void (latest = p),
        },
      );
    } catch (error) {
      progress.stop(false);
      if (error instanceof ExportOutputError)
        throw new CliError(`writing the export failed: ${error.message}`, ExitCode.usage);
      throw error;
    }
    progress.stop();
    if (file && !report.interrupted) {
      await finishOutput(file);
      file = undefined;
    }
    ctx.io.stderr.write(exportSummary(report, options.output));
    return report.interrupted ? ExitCode.interrupted : ExitCode.ok;
  } finally {
    if (file) {
      file.stream.destroy();
      await file.handle.close().catch(() => undefined);
      await rm(file.temporary, { force: true });
    }
    await graph.close();
  }
}

/** The line on stderr at the end: rows, size and rates (`--output` named when given). */
export function exportSummary(report: ExportReport, output: string | undefined): string {
  const rate = formatCount(ratePerSecond(report.rows, report.elapsedMs));
  const bytesPerSecond = formatBytes(Math.round(ratePerSecond(report.bytes, report.elapsedMs)));
  const what = `${formatCount(report.rows)} ${report.table} as ${report.format} (${formatBytes(report.bytes)})`;
  const lines = [
    report.interrupted
      ? `interrupted after ${what}${output ? `; ${output} not written` : ''}`
      : `exported ${what}${output ? ` to ${output}` : ''} in ${formatDuration(report.elapsedMs)}: ${rate} rows/s, ${bytesPerSecond}/s`,
  ];
  if (report.skipped > 0)
    lines.push(`skipped ${formatCount(report.skipped)} identifiers without an active person`);
  return `${lines.join('\n')}\n`;
}
