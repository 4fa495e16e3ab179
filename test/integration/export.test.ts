import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { personLinksSchema, singleResolveSchema } from '../../src/api/schemas.js';
import { runCli } from '../../src/cli/cli-program.js';
import { exportColumns } from '../../src/export/export-rows.js';
import type { IdentityEvent } from '../../src/events/event-schema.js';
import { event, http, ingestAll, serviceForTests, testEnv } from './harness.js';

/**
 * `idgraph export` against a graph the real resolver built from events: every exported identifier
 * answers GET /v1/resolve with the exported person, the links are the persons' links with their
 * consent purposes, both formats carry the same rows, and small pages cross many page boundaries.
 */

const service = serviceForTests();
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'idgraph-export-'));
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function cli(args: string[]) {
  let stdout = '';
  let stderr = '';
  const env = testEnv({ INGEST_QUEUE: service().config.INGEST_QUEUE });
  const code = await runCli(['export', ...args], {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    env,
  });
  return { code, stdout, stderr };
}

/** Values a CSV writer must quote: a comma, a quote, a line break (user_id keeps them: trim only). */
const awkward = (p: number) => [`u,${p}`, `u"${p}"`, `u\n${p}`, `u\r\n"${p}",x`][p % 4]!;

/**
 * `persons` people of three events each (email + cookie, cookie + user id, email + device), each
 * event consenting to identity_linking and, for odd people, marketing; plus lone identifiers.
 */
function population(persons: number): IdentityEvent[] {
  const events: IdentityEvent[] = [];
  for (let p = 0; p < persons; p++) {
    const purposes = { identity_linking: true, ...(p % 2 === 1 ? { marketing: true } : {}) };
    const consent = { purposes };
    events.push(
      event(
        [
          { type: 'email', value: `x${p}@example.org` },
          { type: 'cookie_id', value: `ck-${p}` },
        ],
        { consent },
      ),
      event(
        [
          { type: 'cookie_id', value: `ck-${p}` },
          { type: 'user_id', value: awkward(p) },
        ],
        { consent },
      ),
      event(
        [
          { type: 'email', value: `x${p}@example.org` },
          { type: 'device_id', value: `dev-${p}` },
        ],
        { consent, source: 'pos' },
      ),
    );
  }
  for (let n = 0; n < 5; n++) events.push(event([{ type: 'crm_id', value: `lone,"${n}"` }]));
  return events;
}

type Row = Record<string, unknown>;

const ndjsonRows = (text: string) =>
  text
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => JSON.parse(line) as Row);

/** CSV rows read back with csv-parse, typed as the NDJSON rows are (lists and numbers, nulls). */
function csvRows(text: string, columns: readonly string[]): Row[] {
  const rows = parse<Record<string, string>>(text, { columns: true });
  expect(Object.keys(rows[0] ?? {})).toEqual(columns);
  return rows.map((r) =>
    Object.fromEntries(
      Object.entries(r).map(([k, v]) => {
        if (v === '') return [k, null];
        if (k === 'purposes' || k === 'sources') return [k, JSON.parse(v) as unknown];
        if (k === 'confidence' || k === 'evidenceCount') return [k, Number(v)];
        return [k, v];
      }),
    ),
  );
}

describe('idgraph export', () => {
  it('exports every identifier with the person GET /v1/resolve answers, in both formats, across pages', async () => {
    const persons = 30;
    const jobs = await ingestAll(service(), population(persons), 50);
    expect(jobs.every((j) => j.state === 'completed')).toBe(true);
    const identifiers = persons * 4 + 5;

    const ndjson = await cli(['--format', 'ndjson', '--page-size', '7']);
    expect(ndjson.code, ndjson.stderr).toBe(0);
    const rows = ndjsonRows(ndjson.stdout);
    expect(rows).toHaveLength(identifiers);
    expect(new Set(rows.map((r) => `${String(r.type)}:${String(r.value)}`)).size).toBe(identifiers);
    expect(ndjson.stderr).toContain(`exported ${identifiers} identifiers as ndjson`);

    for (const row of rows) {
      expect(Object.keys(row)).toEqual(exportColumns.identifiers);
      const query = new URLSearchParams({ type: String(row.type), value: String(row.value) });
      const answer = await http(
        service().baseUrl,
        'GET',
        `/v1/resolve?${query.toString()}`,
        undefined,
        singleResolveSchema,
      );
      expect(answer.status).toBe(200);
      expect(answer.body.personId).toBe(row.personId);
      expect(row.firstSeen).toEqual(expect.any(String));
    }
    expect(new Set(rows.map((r) => r.personId)).size).toBe(persons + 5);
    for (let p = 0; p < persons; p++)
      expect(rows.some((r) => r.type === 'user_id' && r.value === awkward(p))).toBe(true);

    // CSV: the same rows, values with commas, quotes and line breaks read back intact by csv-parse.
    const file = join(dir, 'identifiers.csv');
    const csv = await cli(['--format', 'csv', '--page-size', '7', '--output', file]);
    expect(csv.code, csv.stderr).toBe(0);
    expect(csv.stdout).toBe('');
    expect(csvRows(await readFile(file, 'utf8'), exportColumns.identifiers)).toEqual(rows);
    expect((await readdir(dir)).filter((f) => f.includes('partial'))).toEqual([]);

    // Page sizes at and around the boundaries give the same export.
    for (const pageSize of [2, identifiers - 1, identifiers, identifiers + 1]) {
      const again = await cli(['--page-size', String(pageSize)]);
      expect(ndjsonRows(again.stdout), `page size ${pageSize}`).toEqual(rows);
    }
  }, 240_000);

  it('exports every link once with its ends, provenance and consent purposes, in both formats', async () => {
    const persons = 24;
    await ingestAll(service(), population(persons), 40);
    const ids = ndjsonRows((await cli([])).stdout).map((r) => String(r.personId));

    const expected = new Map<string, Row>();
    for (const personId of new Set(ids)) {
      const answer = await http(
        service().baseUrl,
        'GET',
        `/v1/persons/${personId}/links`,
        undefined,
        personLinksSchema,
      );
      for (const l of answer.body.links)
        expected.set(l.id, {
          id: l.id,
          fromType: l.from.type,
          fromValue: l.from.value,
          toType: l.to.type,
          toValue: l.to.value,
          status: l.status,
          method: l.method,
          rule: l.rule,
          confidence: l.confidence,
          purposes: l.purposes,
          sources: l.sources,
          firstSeen: l.firstSeen,
          lastSeen: l.lastSeen,
          evidenceCount: l.evidenceCount,
          modelVersion: l.modelVersion ?? null,
        });
    }
    // Three links per person (email-cookie, cookie-user id, email-device).
    expect(expected.size).toBe(persons * 3);

    const ndjson = await cli(['--links', '--page-size', '5']);
    expect(ndjson.code, ndjson.stderr).toBe(0);
    const links = ndjsonRows(ndjson.stdout);
    expect(links).toHaveLength(expected.size);
    for (const link of links) {
      expect(Object.keys(link)).toEqual(exportColumns.links);
      const want = expected.get(String(link.id));
      expect(want).toBeDefined();
      // Purposes and sources are sets: compare them sorted.
      const sorted = (r: Row) => ({
        ...r,
        purposes: [...(r.purposes as string[])].sort(),
        sources: [...(r.sources as string[])].sort(),
      });
      expect(sorted(link)).toEqual(sorted(want!));
    }
    const marketing = links.filter((l) => (l.purposes as string[]).includes('marketing'));
    expect(marketing).toHaveLength((persons / 2) * 3);

    const csv = await cli(['--links', '--format', 'csv', '--page-size', '5']);
    expect(csv.code, csv.stderr).toBe(0);
    expect(csvRows(csv.stdout, exportColumns.links)).toEqual(links);
  });

  it('writes the CSV header for an empty graph and refuses an unwritable --output', async () => {
    const empty = await cli(['--format', 'csv']);
    expect(empty.code).toBe(0);
    expect(empty.stdout).toBe(`${exportColumns.identifiers.join(',')}\n`);
    const bad = await cli(['--output', join(dir, 'missing-dir', 'out.ndjson')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('cannot write --output');
  });
});
