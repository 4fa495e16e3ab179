import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_MODEL } from '../../src/matching/model/default-model.js';
import { createRandom } from '../../src/matching/training/random-source.js';
import { parseModelFile } from '../../src/matching/model/model-file.js';
import type { IdentityEvent } from '../../src/events/event-schema.js';
import {
  clearGraph,
  ingestAll,
  invariants,
  noViolations,
  startService,
  testEnv,
  type TestService,
} from './harness.js';

/**
 * `idgraph model train` and `model show` as a user runs them: a child process on the service's
 * environment, training on the Record nodes the service wrote for events with attributes.
 */

const cliPath = fileURLToPath(new URL('../../src/cli.ts', import.meta.url));

let env: Record<string, string>;
let service: TestService;
let dir: string;

beforeAll(async () => {
  env = testEnv();
  service = await startService({ INGEST_QUEUE: env.INGEST_QUEUE! });
  dir = await mkdtemp(join(tmpdir(), 'idgraph-cli-model-'));
  await clearGraph(service.graph);
});
afterAll(async () => {
  await service?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

function cli(
  args: string[],
  timeoutMs = 120_000,
  extraEnv: Record<string, string> = {},
): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', cliPath, ...args], {
      env: { ...process.env, ...env, ...extraEnv },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`idgraph ${args.join(' ')} still running after ${timeoutMs} ms\n${stderr}`));
    }, timeoutMs);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

// prettier-ignore
const FIRST = [
  'Alice', 'Bernard', 'Chloe', 'Dmitri', 'Elena', 'Farid', 'Greta', 'Hugo', 'Ines', 'Jonas',
  'Karin', 'Luca', 'Mei', 'Nils', 'Olga', 'Pavel', 'Quentin', 'Rosa', 'Samir', 'Tanja',
  'Ursula', 'Viktor', 'Wanda', 'Xavier', 'Yara', 'Zeno', 'Amara', 'Bruno', 'Celia', 'Dario',
];
// prettier-ignore
const LAST = [
  'Andersen', 'Becker', 'Castillo', 'Dubois', 'Eriksson', 'Fischer', 'Gallo', 'Horvat',
  'Ivanova', 'Jansen', 'Kowalski', 'Lindqvist', 'Moreau', 'Novak', 'Okafor', 'Petrov',
  'Quintero', 'Rossi', 'Schmidt', 'Tanaka', 'Ulrich', 'Varga', 'Weber', 'Yilmaz', 'Zimmermann',
];
const CITIES = ['Berlin', 'Hamburg', 'Munich', 'Cologne', 'Leipzig', 'Dresden'];
const STREETS = ['Lindenstrasse', 'Hauptstrasse', 'Bahnhofstrasse', 'Gartenweg', 'Schillerplatz'];

/** Swaps two adjacent letters in the middle: the commonest typo. */
function transpose(text: string): string {
  const i = Math.max(1, Math.floor(text.length / 2) - 1);
  return `${text.slice(0, i)}${text[i + 1]}${text[i]}${text.slice(i + 2)}`;
}

/**
 * `persons` people from a seeded generator, one CRM event each; the first `duplicates` also come
 * from the web shop, with a typical corruption: none, a first-name typo, a birth-date typo, or a
 * surname typo with an abbreviated street. Every event carries its own email, so only the
 * probabilistic matcher could join a duplicate to its original.
 */
function personEvents(persons: number, duplicates: number): IdentityEvent[] {
  const random = createRandom(20260301);
  const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)]!;
  const two = (n: number) => String(n).padStart(2, '0');
  const events: IdentityEvent[] = [];
  for (let p = 0; p < persons; p += 1) {
    const day = 1 + Math.floor(random() * 28);
    const attributes = {
      firstName: pick(FIRST),
      lastName: pick(LAST),
      dateOfBirth: `${1950 + Math.floor(random() * 50)}-${two(1 + Math.floor(random() * 12))}-${two(day)}`,
      gender: random() < 0.5 ? 'f' : 'm',
      street: pick(STREETS),
      streetNumber: String(1 + Math.floor(random() * 120)),
      postcode: String(10_000 + Math.floor(random() * 80_000)),
      city: pick(CITIES),
    };
    events.push({
      id: `crm-${p}`,
      source: 'crm',
      occurredAt: new Date(Date.UTC(2026, 0, 1, 0, 0, p)).toISOString(),
      identifiers: [{ type: 'email', value: `person${p}@crm.example` }],
      attributes,
    });
    if (p >= duplicates) continue;
    const copy = { ...attributes };
    if (p % 4 === 1) copy.firstName = transpose(copy.firstName);
    if (p % 4 === 2)
      copy.dateOfBirth = `${copy.dateOfBirth.slice(0, 8)}${two(day === 28 ? 27 : day + 1)}`;
    if (p % 4 === 3) {
      copy.lastName = transpose(copy.lastName);
      copy.street = copy.street.replace(/strasse$/, 'str');
    }
    events.push({
      id: `web-${p}`,
      source: 'web',
      occurredAt: new Date(Date.UTC(2026, 1, 1, 0, 0, p)).toISOString(),
      identifiers: [{ type: 'email', value: `shopper${p}@web.example` }],
      attributes: copy,
    });
  }
  return events;
}

describe('idgraph model', () => {
  it('refuses to train on fewer than 100 records, before writing anything', async () => {
    const out = join(dir, 'too-few.json');
    const run = await cli(['model', 'train', '--out', out]);
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toContain('the graph holds 0 records with attributes');
    expect(run.stderr).toContain('at least 100');
    expect(run.stdout).toBe('');
    await expect(readFile(out)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('trains a model on the records in the graph, and shows it', async () => {
    const events = personEvents(180, 48);
    expect(events.length).toBeGreaterThanOrEqual(200);
    const jobs = await ingestAll(service, events, 50);
    expect(jobs.every((job) => job.state === 'completed')).toBe(true);

    const out = join(dir, 'trained.json');
    const run = await cli([
      'model',
      'train',
      '--out',
      out,
      '--model-version',
      'it-person-v2',
      '--seed',
      '7',
    ]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^records +228 /m);
    expect(run.stdout).toMatch(/^EM sessions +7, /m);
    expect(run.stdout).toContain(`written           ${out}`);
    expect(run.stdout).toContain('idgraph model rescore');
    // Personal data never reaches the output.
    for (const event of events.slice(0, 20)) {
      expect(run.stdout + run.stderr).not.toContain(event.attributes!.lastName as string);
    }

    const file = parseModelFile(JSON.parse(await readFile(out, 'utf8')));
    expect(file.model.version).toBe('it-person-v2');
    expect(file.model.version).not.toBe(DEFAULT_MODEL.version);
    expect(file.model.lambda).toBeGreaterThan(0);
    expect(file.model.lambda).toBeLessThan(1);
    expect(file.model.comparisons.map((c) => c.name)).toEqual(
      DEFAULT_MODEL.comparisons.map((c) => c.name),
    );
    for (const name of ['firstName', 'lastName']) {
      const comparison = file.model.comparisons.find((c) => c.name === name)!;
      const exact = comparison.levels.find((l) => l.when.type === 'exact')!;
      const otherwise = comparison.levels.find((l) => l.when.type === 'else')!;
      expect(exact.m, name).toBeGreaterThan(otherwise.m);
    }
    expect(file.training).toMatchObject({
      records: 228,
      seed: 7,
      startedFrom: DEFAULT_MODEL.version,
    });
    // Only values held by at least 5 records: common first names yes, postcodes (unique) no.
    expect(Object.keys(file.termFrequencies?.firstName ?? {}).length).toBeGreaterThan(0);
    expect(file.termFrequencies?.postcode).toBeUndefined();

    const show = await cli(['model', 'show', '--file', out]);
    expect(show.code, show.stderr).toBe(0);
    expect(show.stdout).toMatch(/^model +it-person-v2$/m);
    for (const comparison of file.model.comparisons)
      expect(show.stdout).toMatch(new RegExp(`^${comparison.name} +exact `, 'm'));
    for (const value of Object.keys(file.termFrequencies!.firstName!).filter((v) => v.length > 4))
      expect(show.stdout).not.toContain(value);

    // Rescore with the trained model: every probabilistic link made by the default model is
    // re-evaluated and ends up scored by the new version (kept) or withdrawn.
    const [before] = await service.graph.query<{ probabilisticLinks: number }>('read/graph-totals');
    expect(before!.probabilisticLinks).toBeGreaterThan(0);
    const rescored = await cli(['model', 'rescore', '--page-size', '50'], 120_000, {
      MATCH_MODEL_FILE: out,
    });
    expect(rescored.code, rescored.stderr).toBe(0);
    expect(rescored.stdout).toMatch(/^model it-person-v2$/m);
    expect(rescored.stdout).toContain(
      `links of older versions: ${before!.probabilisticLinks} checked`,
    );
    expect(rescored.stdout).toMatch(/^records: 228 scored/m);
    const stale = await service.graph.query('read/stale-links-page', {
      version: 'it-person-v2',
      after: '',
      limit: 10,
    });
    expect(stale).toEqual([]);
    // Nothing left to change: a second run checks no link and links no pair.
    const again = await cli(['model', 'rescore'], 120_000, { MATCH_MODEL_FILE: out });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain('links of older versions: 0 checked');
    expect(again.stdout).toMatch(/ 0 linked,/);
    expect(await invariants(service.graph)).toEqual(noViolations);
  });
});
