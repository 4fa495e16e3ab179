import { Writable } from 'node:stream';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { exportProgressLine } from '../../src/cli/export-progress.js';
import { pageFormatter } from '../../src/export/export-format.js';
import { ExportOutputError, runExport } from '../../src/export/export-run.js';
import type { IdentifierPageRow } from '../../src/export/export-rows.js';
import type { Graph } from '../../src/graph/graph-client.js';

/** A graph of `count` identifiers that answers the export's page read, counting the reads. */
function fakeGraph(count: number) {
  const rows: IdentifierPageRow[] = Array.from({ length: count }, (_, n) => {
    const value = `v${String(n).padStart(5, '0')}`;
    return {
      key: `user_id:${value}`,
      type: 'user_id',
      value,
      personId: n % 10 === 9 ? null : `per_${n}`,
      firstSeen: 0,
      lastSeen: null,
    };
  });
  const graph = {
    reads: 0,
    query: (async (_name: string, params: Record<string, unknown> = {}) => {
      graph.reads += 1;
      const after = String(params.after);
      return rows.filter((r) => r.key > after).slice(0, Number(params.limit));
    }) as Graph['query'],
  };
  return graph;
}

describe('export', () => {
  it('reads at most one page ahead of what the output has taken', async () => {
    const graph = fakeGraph(100);
    let release: (() => void) | undefined;
    const chunks: string[] = [];
    const sink = new Writable({
      highWaterMark: 1,
      write(chunk: Buffer, _encoding, done) {
        chunks.push(chunk.toString());
        // The first page is taken only when the test says so: until then the export waits.
        if (chunks.length === 1) release = done;
        else done();
      },
    });
    const running = runExport(
      { graph },
      { table: 'identifiers', format: 'ndjson', sink, pageSize: 10 },
    );
    await new Promise((r) => setTimeout(r, 50));
    expect(release).toBeDefined();
    expect(graph.reads).toBe(2);
    release!();
    const report = await running;
    expect(graph.reads).toBe(11); // ten full pages, then the empty one that ends it
    expect(report).toMatchObject({ rows: 90, skipped: 10, identifiersRead: 100 });
    const lines = chunks.join('').trimEnd().split('\n');
    expect(lines).toHaveLength(90);
    expect(JSON.parse(lines[0]!)).toEqual({
      type: 'user_id',
      value: 'v00000',
      personId: 'per_0',
      firstSeen: '1970-01-01T00:00:00.000Z',
      lastSeen: null,
    });
  });

  it('fails with the output error when the output breaks', async () => {
    const sink = new Writable({
      write(_chunk, _encoding, done) {
        done(Object.assign(new Error('broken pipe'), { code: 'EPIPE' }));
      },
    });
    sink.on('error', () => undefined);
    const outcome = runExport(
      { graph: fakeGraph(50) },
      { table: 'identifiers', format: 'csv', sink, pageSize: 5 },
    );
    await expect(outcome).rejects.toBeInstanceOf(ExportOutputError);
    await expect(outcome).rejects.toThrow('EPIPE');
  });

  it('writes CSV that csv-parse reads back: commas, quotes, line breaks, lists, nulls', () => {
    const values = ['a,b', 'say "hi"', 'two\nlines', ' \r\n"x",y ', '=1+1'];
    const csv = pageFormatter('csv', 'links');
    const rows = values.map((v, n) => ({
      id: `lnk_${n}`,
      fromType: 'user_id',
      fromValue: v,
      toType: 'email',
      toValue: `${n}@example.org`,
      status: 'active',
      method: 'deterministic',
      rule: 'same_event',
      confidence: 0.5,
      purposes: ['identity_linking', 'marketing'],
      sources: [],
      firstSeen: '2026-01-01T00:00:00.000Z',
      lastSeen: null,
      evidenceCount: 2,
      modelVersion: null,
    }));
    const parsed = parse<Record<string, string>>(csv.header() + csv.page(rows), { columns: true });
    expect(parsed.map((r) => r.fromValue)).toEqual(values);
    expect(parsed[0]).toMatchObject({
      purposes: '["identity_linking","marketing"]',
      sources: '[]',
    });
    expect(parsed[0]).toMatchObject({ lastSeen: '', modelVersion: '', confidence: '0.5' });
    expect(csv.page([])).toBe('');
  });

  it('shows rows of the total, rate, bytes and ETA', () => {
    expect(
      exportProgressLine({
        what: 'identifiers',
        rows: 250_000,
        total: 1_000_000,
        bytes: 2.5e7,
        elapsedMs: 5000,
      }),
    ).toBe('export: 250,000 of 1,000,000 identifiers (25.0%) | 50,000/s | 25.0 MB | ETA 15.0 s');
  });
});
