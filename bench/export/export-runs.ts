import { Writable } from 'node:stream';
import { type ExportFormat } from '../../src/export/export-format.js';
import type { ExportTable } from '../../src/export/export-rows.js';
import { runExport } from '../../src/export/export-run.js';
import { benchFlags, positiveInt } from '../harness/bench-flags.js';
import { benchLog } from '../harness/bench-log.js';
import { loadAverage } from '../host/machine-load.js';
import { fmt } from '../report/result-tables.js';
import type { BenchGraph } from '../services/bench-cypher.js';

/** The export benchmark's settings, from its flags (`--help` lists them). */
export interface ExportSettings {
  persons: number;
  /** Persons created per build transaction. */
  chunk: number;
  /** `--page-size` of the export. */
  pageSize: number;
  rounds: number;
}

export function exportSettings(argv: readonly string[]): ExportSettings {
  const flags = benchFlags('usage: npm run bench -- export [flags]', FLAGS, argv);
  return {
    persons: positiveInt(flags.persons, 'persons'),
    chunk: positiveInt(flags.chunk, 'chunk'),
    pageSize: positiveInt(flags.page, 'page'),
    rounds: positiveInt(flags.rounds, 'rounds'),
  };
}

const FLAGS = {
  persons: { default: '250000', help: 'persons of 4 identifiers and 3 links each' },
  chunk: { default: '10000', help: 'persons per build transaction' },
  page: { default: '5000', help: 'identifiers per export page (--page-size)' },
  rounds: { default: '2', help: 'timed rounds of every run, the order alternating' },
};

/**
 * Builds the graph with bench/write/export-graph, `chunk` persons per transaction (ingesting a
 * million identifiers through the queue would take far longer than the benchmark).
 */
export async function buildGraph(graph: BenchGraph, settings: ExportSettings): Promise<number> {
  const started = performance.now();
  const at = Date.UTC(2026, 0, 1);
  for (let from = 0; from < settings.persons; from += settings.chunk) {
    const to = Math.min(settings.persons, from + settings.chunk);
    await graph.query('bench/write/export-graph', { from, to, at });
    if ((to / settings.chunk) % 5 === 0)
      benchLog(`built ${fmt(to)} of ${fmt(settings.persons)} persons`);
  }
  return (performance.now() - started) / 1000;
}

export interface TimedRun {
  name: string;
  table: ExportTable;
  rows: number;
  bytes: number;
  seconds: number;
  rowsPerSecond: number;
  /** Process RSS before the run and the largest sampled during it (every 50 ms), in MB. */
  rssBeforeMb: number;
  rssMaxMb: number;
  loadBefore: number;
}

/** Runs `work` with the process RSS sampled every 50 ms. */
async function sampled(
  work: () => Promise<{ rows: number; bytes: number }>,
): Promise<Omit<TimedRun, 'name' | 'table' | 'rowsPerSecond'>> {
  const mb = () => process.memoryUsage.rss() / 1e6;
  const rssBeforeMb = mb();
  let rssMaxMb = rssBeforeMb;
  const timer = setInterval(() => (rssMaxMb = Math.max(rssMaxMb, mb())), 50);
  const loadBefore = loadAverage();
  const started = performance.now();
  try {
    const { rows, bytes } = await work();
    const seconds = (performance.now() - started) / 1000;
    rssMaxMb = Math.max(rssMaxMb, mb());
    return { rows, bytes, seconds, rssBeforeMb, rssMaxMb, loadBefore };
  } finally {
    clearInterval(timer);
  }
}

/** `idgraph export`'s code (runExport) into a sink that counts bytes and takes them at once. */
export async function exportRun(
  graph: BenchGraph,
  table: ExportTable,
  format: ExportFormat,
  pageSize: number,
): Promise<TimedRun> {
  const run = await sampled(async () => {
    let bytes = 0;
    // A real stream (16 kB buffer): every page waits for `drain`, as it does on a pipe.
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        bytes += chunk.length;
        done();
      },
    });
    const report = await runExport({ graph }, { table, format, sink, pageSize });
    if (report.bytes !== bytes) throw new Error(`export counted ${report.bytes} B, sink ${bytes}`);
    return { rows: report.rows, bytes };
  });
  return { name: `export ${format}`, table, ...run, rowsPerSecond: run.rows / run.seconds };
}

/** The ceiling: the same rows in one read streamed through the driver, each row touched, no output. */
export async function rawRun(graph: BenchGraph, table: ExportTable): Promise<TimedRun> {
  const run = await sampled(async () => {
    let rows = 0;
    if (table === 'identifiers') {
      for await (const row of graph.stream<{ personId: string | null }>(
        'bench/read/raw-export-identifiers',
      ))
        if (row.personId !== null) rows += 1;
    } else {
      for await (const row of graph.stream<{ links: unknown[] }>('bench/read/raw-export-links'))
        rows += row.links.length;
    }
    return { rows, bytes: 0 };
  });
  return { name: 'raw Cypher (one read)', table, ...run, rowsPerSecond: run.rows / run.seconds };
}
