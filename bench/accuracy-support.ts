import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { z } from 'zod';
import { linkSchema, jobResponseSchema, resolveResponseSchema } from '../src/api/schemas.js';
import type { BlockingRule } from '../src/matching/records/blocking.js';
import {
  type FellegiSunterModel,
  type TermFrequencies,
  termFrequencyAttributes,
} from '../src/matching/scoring/fellegi-sunter.js';
import { createRandom } from '../src/matching/training/random-source.js';
import { MODEL_FILE_FORMAT, MODEL_FILE_FORMAT_VERSION } from '../src/matching/model/model-file.js';
import { commonTermFrequencies } from '../src/matching/training/model-training.js';
import {
  type AttributeKind,
  type MatchRecord,
  normalizeDate,
} from '../src/matching/records/normalize-attributes.js';
import type { EvaluationMode, TruthRecord } from '../src/matching/evaluate.js';
import type { IdentityEvent } from '../src/events/event-schema.js';
import { freePort, REPO_ROOT } from '../scripts/local-services.mjs';
import { benchAuthHeader, benchLog } from './bench-support.js';
import { type Dataset, normalizeRaw, type RawRecord } from './peers/datasets.js';

/**
 * Helpers of the accuracy benchmark (bench/accuracy.ts): data sets as identity events, model files,
 * the service as separate API and worker processes, its HTTP API, Splink through Python, Splink's
 * published accuracy tables, and the synthetic population of the speed runs.
 */

// ------------------------------------------------------------------------------------------------
// Data sets as events

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
  /** Dates of birth that are not calendar dates (sent as `dateOfBirthRaw`, not as `dateOfBirth`). */
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
 * `YYYY-MM-DD`. The API accepts only calendar dates (`z.iso.date()`); a date of birth that is not
 * one (FEBRL's corrupted copies have e.g. month 45) is sent as the extra attribute
 * `dateOfBirthRaw` instead, which no comparison reads: the service matches that record without a
 * date of birth.
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
      const iso = normalizeDate(value);
      if (iso !== null && isoDate.safeParse(iso).success) {
        attributes.dateOfBirth = iso;
      } else {
        attributes.dateOfBirthRaw = value;
        invalidDate = true;
      }
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

// ------------------------------------------------------------------------------------------------
// Model files

/**
 * The model file the service loads (format of src/matching/model/model-file.ts), with the blocking rules,
 * the kinds of extra attributes and the matching mode of the data set. Written as plain JSON here
 * so that the fields the service reads are visible in one place.
 */
export function modelFileJson(file: {
  model: FellegiSunterModel;
  blockingRules: readonly BlockingRule[];
  attributeKinds: Readonly<Record<string, AttributeKind>>;
  mode: EvaluationMode;
  termFrequencies: TermFrequencyTables | undefined;
  training: Record<string, unknown>;
}): string {
  const body = {
    format: MODEL_FILE_FORMAT,
    formatVersion: MODEL_FILE_FORMAT_VERSION,
    model: file.model,
    blockingRules: file.blockingRules,
    attributeKinds: file.attributeKinds,
    mode: file.mode,
    ...(file.termFrequencies === undefined ? {} : { termFrequencies: file.termFrequencies.file }),
    training: file.training,
  };
  return `${JSON.stringify(body, null, 2)}\n`;
}

export interface TermFrequencyTables {
  /** The model file's `termFrequencies`: attribute -> value -> share of the records holding a value. */
  readonly file: Record<string, Record<string, number>>;
  /** The same, as scoring takes it. */
  readonly tables: TermFrequencies;
  /** Values kept, over all attributes. */
  readonly values: number;
}

/**
 * Term-frequency tables of the model's term-frequency attributes, computed as offline-eval and
 * Splink compute them (share among the records that hold a value), keeping only values held by at
 * least `minCount` records. The service reads term frequencies only from its model file: a value
 * not in the table is scored without adjustment.
 */
export function termFrequencyTables(
  records: readonly MatchRecord[],
  model: FellegiSunterModel,
  minCount: number,
): TermFrequencyTables {
  // The same tables `idgraph model train` writes (values held by fewer than minCount are left out).
  const file = commonTermFrequencies(records, termFrequencyAttributes(model), minCount);
  const tables: Record<string, ReadonlyMap<string, number>> = {};
  let values = 0;
  for (const [attribute, table] of Object.entries(file)) {
    tables[attribute] = new Map(Object.entries(table));
    values += Object.keys(table).length;
  }
  return { file, tables, values };
}

// ------------------------------------------------------------------------------------------------
// Service processes

export interface ServiceProcess {
  readonly name: string;
  readonly child: ChildProcess;
  /** Warnings and errors the process logged (JSON log lines at level >= 40), newest last, at most 50. */
  readonly problems: string[];
}

const children = new Set<ChildProcess>();

/** Kills every service process still running (for signal handlers and failures). */
export function killServiceProcesses(): void {
  for (const child of children) child.kill('SIGKILL');
}

/**
 * Starts `src/main.ts --api` or `--worker` as its own process with `env`, and waits until it says
 * it is ready. Log lines at warn and above go to stderr with the process name and are kept.
 */
export async function startServiceProcess(
  role: 'api' | 'worker',
  name: string,
  env: Record<string, string>,
  timeoutMs = 90_000,
  nodeFlags: readonly string[] = [],
): Promise<ServiceProcess & { url?: string }> {
  const port = role === 'api' ? await freePort() : undefined;
  const args = [...nodeFlags, '--import', 'tsx', 'src/main.ts', `--${role}`];
  const child = spawn(process.execPath, args, {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env, ...(port === undefined ? {} : { PORT: String(port) }) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  child.once('exit', () => children.delete(child));
  const problems: string[] = [];
  const onLine = (line: string) => {
    if (line.length === 0) return;
    let level = 50;
    if (line.startsWith('{')) {
      try {
        level = (JSON.parse(line) as { level?: number }).level ?? 30;
      } catch {
        // not a log line
      }
    } else if (line.startsWith('idgraph ready') || line.startsWith('idgraph worker ready')) {
      level = 30;
    }
    if (level >= 40) {
      process.stderr.write(`[${name}] ${line}\n`);
      problems.push(line);
      if (problems.length > 50) problems.shift();
    }
  };
  const lines = (stream: NodeJS.ReadableStream | null) => {
    let pending = '';
    stream?.on('data', (chunk: Buffer) => {
      const parts = (pending + chunk.toString()).split('\n');
      pending = parts.pop() ?? '';
      parts.forEach(onLine);
    });
  };
  lines(child.stdout);
  lines(child.stderr);
  const readyText = role === 'api' ? 'idgraph ready: ' : 'idgraph worker ready';
  const url = await new Promise<string>((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(
      () => reject(new Error(`${name} not ready within ${timeoutMs / 1000} s`)),
      timeoutMs,
    );
    child.stdout?.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      const at = seen.indexOf(readyText);
      if (at >= 0) {
        clearTimeout(timer);
        resolve(role === 'api' ? `http://127.0.0.1:${port}` : '');
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(
        new Error(
          `${name} exited with ${code} before it was ready${problems.length > 0 ? `:\n  ${problems.join('\n  ')}` : ''}`,
        ),
      );
    });
  });
  return { name, child, problems, ...(role === 'api' ? { url } : {}) };
}

export async function stopServiceProcess(service: ServiceProcess): Promise<void> {
  const { child } = service;
  if (child.exitCode !== null || child.signalCode !== null) return;
  await new Promise<void>((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** Deletes the queue keys a run left in Redis (`<prefix>:*`), so an external Redis is left clean. */
export async function deleteQueueKeys(redisUrl: string, prefix: string): Promise<number> {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
  try {
    let cursor = '0';
    let deleted = 0;
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) deleted += await redis.del(...keys);
    } while (cursor !== '0');
    return deleted;
  } finally {
    redis.disconnect();
  }
}

// ------------------------------------------------------------------------------------------------
// The HTTP API

async function call<T>(
  url: string,
  schema: z.ZodType<T>,
  init: { method?: string; body?: unknown } = {},
): Promise<T> {
  const response = await fetch(url, {
    method: init.method ?? 'GET',
    headers: {
      ...benchAuthHeader,
      ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
  const text = await response.text();
  if (!response.ok)
    throw new Error(
      `${init.method ?? 'GET'} ${new URL(url).pathname} answered ${response.status}: ${text}`,
    );
  return schema.parse(JSON.parse(text));
}

const enqueuedSchema = z.object({ jobId: z.string(), accepted: z.number().int() });

/** POSTs one batch; returns the job id. Bodies are serialised by the caller, before timing starts. */
export async function postEvents(apiUrl: string, body: string): Promise<string> {
  const response = await fetch(`${apiUrl}/v1/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...benchAuthHeader },
    body,
  });
  const text = await response.text();
  if (response.status !== 202)
    throw new Error(`POST /v1/events answered ${response.status}: ${text}`);
  return enqueuedSchema.parse(JSON.parse(text)).jobId;
}

export type JobOutcome = z.infer<typeof jobResponseSchema>;

/**
 * Polls `GET /v1/jobs/{id}` until every job is completed, oldest first (the queue runs them
 * roughly in order, so one request per poll usually suffices). A failed job fails the run with its
 * reason. Returns each job's outcome and the time the last one was seen completed.
 */
export async function waitForJobs(
  apiUrl: string,
  jobIds: readonly string[],
  options: { pollMs?: number; timeoutMs?: number } = {},
): Promise<{ outcomes: JobOutcome[]; doneAt: number }> {
  const pending = [...jobIds];
  const outcomes = new Map<string, JobOutcome>();
  const deadline = Date.now() + (options.timeoutMs ?? 3_600_000);
  while (pending.length > 0) {
    const job = await call(`${apiUrl}/v1/jobs/${pending[0]}`, jobResponseSchema);
    if (job.state === 'failed')
      throw new Error(
        `job ${job.jobId} failed (dead-lettered): ${job.failedReason ?? 'no reason given'}`,
      );
    if (job.state === 'completed') {
      outcomes.set(job.jobId, job);
      pending.shift();
      continue;
    }
    if (Date.now() > deadline)
      throw new Error(`${pending.length} job(s) not completed in time (first: ${job.state})`);
    await new Promise((r) => setTimeout(r, options.pollMs ?? 50));
  }
  return { outcomes: jobIds.map((id) => outcomes.get(id)!), doneAt: performance.now() };
}

const deadLettersSchema = z.object({ total: z.number().int() });

export async function deadLetterCount(apiUrl: string): Promise<number> {
  return (await call(`${apiUrl}/v1/dead-letters?limit=1`, deadLettersSchema)).total;
}

/** Resolves identifiers (1000 per call, `concurrency` calls at once) to person ids, in order. */
export async function resolvePersons(
  apiUrl: string,
  identifiers: readonly { type: string; value: string }[],
  concurrency = 2,
): Promise<(string | null)[]> {
  const chunks: { type: string; value: string }[][] = [];
  for (let i = 0; i < identifiers.length; i += 1000) chunks.push(identifiers.slice(i, i + 1000));
  const answers: (string | null)[][] = Array.from({ length: chunks.length }, () => []);
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < chunks.length) {
        const index = next++;
        const { results } = await call(`${apiUrl}/v1/resolve`, resolveResponseSchema, {
          method: 'POST',
          body: { identifiers: chunks[index] },
        });
        answers[index] = results.map((r) => r.personId);
      }
    }),
  );
  return answers.flat();
}

/** A link as `GET /v1/persons/{id}/links` returns it, with the model version of probabilistic links. */
const benchLinkSchema = linkSchema.extend({ modelVersion: z.string().nullish() });
const benchPersonLinksSchema = z.object({
  personId: z.string(),
  links: z.array(benchLinkSchema),
});
export type BenchLink = z.infer<typeof benchLinkSchema>;

/** The links of each person (`concurrency` requests at once). */
export async function personLinks(
  apiUrl: string,
  personIds: readonly string[],
  concurrency = 4,
): Promise<BenchLink[]> {
  const all: BenchLink[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < personIds.length) {
        const id = personIds[next++]!;
        const { links } = await call(
          `${apiUrl}/v1/persons/${encodeURIComponent(id)}/links`,
          benchPersonLinksSchema,
        );
        all.push(...links);
      }
    }),
  );
  return all;
}

// ------------------------------------------------------------------------------------------------
// Splink

export interface SplinkResult {
  dataset: string;
  settings: 'published' | 'matched';
  precision: number;
  recall: number;
  f1: number;
  tp: number;
  fp: number;
  fn: number;
  clustered: { precision: number; recall: number; f1: number };
  lambda: number;
  /** Splink's own time: registering the data to scored pairs (training + prediction). */
  seconds: number;
  /** Wall time of the whole Python process (start, imports, data load, training, prediction, clustering). */
  wallSeconds: number;
}

const splinkLineSchema = z.object({
  dataset: z.string(),
  settings: z.enum(['published', 'matched']),
  precision: z.number(),
  recall: z.number(),
  f1: z.number(),
  tp: z.number(),
  fp: z.number(),
  fn: z.number(),
  clustered: z.object({ precision: z.number(), recall: z.number(), f1: z.number() }),
  lambda: z.number(),
  seconds: z.number(),
});

const REQUIREMENTS = join(REPO_ROOT, 'bench', 'peers', 'requirements.txt');

/** `name==version` pins of bench/peers/requirements.txt. */
function pinnedRequirements(): Map<string, string> {
  const pins = new Map<string, string>();
  for (const line of readFileSync(REQUIREMENTS, 'utf8').split('\n')) {
    const match = /^\s*([A-Za-z0-9_.-]+)==([^\s#]+)/.exec(line);
    if (match) pins.set(match[1]!, match[2]!);
  }
  return pins;
}

/** The installed versions of `packages` in `python`'s environment, or undefined when it cannot run. */
function installedVersions(
  python: string,
  packages: readonly string[],
): Map<string, string> | undefined {
  const script =
    'import importlib.metadata as m, json, sys\n' +
    'out = {}\n' +
    'for p in sys.argv[1:]:\n' +
    '    try: out[p] = m.version(p)\n' +
    '    except Exception: pass\n' +
    'print(json.dumps(out))';
  const result = spawnSync(python, ['-c', script, ...packages], { encoding: 'utf8' });
  if (result.status !== 0) return undefined;
  try {
    return new Map(Object.entries(JSON.parse(result.stdout) as Record<string, string>));
  } catch {
    return undefined;
  }
}

/** Default place of the benchmark's Splink venv (outside the repository). */
export const SPLINK_VENV = join(homedir(), '.cache', 'idgraph', 'splink-venv');

/**
 * A Python with exactly the pinned Splink, DuckDB and pandas: `explicit` when given (checked, never
 * changed), else the first of IDGRAPH_SPLINK_PYTHON, ~/.cache/idgraph/splink-venv and /tmp/splink-venv
 * that has them; else ~/.cache/idgraph/splink-venv is created (or repaired) with pip. Undefined
 * when there is no python3 to create it with.
 */
export function splinkPython(explicit?: string): { python: string; note: string } | undefined {
  const pins = pinnedRequirements();
  const fits = (python: string) => {
    const versions = installedVersions(python, [...pins.keys()]);
    return versions !== undefined && [...pins].every(([p, v]) => versions.get(p) === v);
  };
  if (explicit) {
    if (!fits(explicit))
      throw new Error(`--python ${explicit} lacks the pins of bench/peers/requirements.txt`);
    return { python: explicit, note: explicit };
  }
  const candidates = [
    process.env.IDGRAPH_SPLINK_PYTHON,
    join(SPLINK_VENV, 'bin', 'python'),
    '/tmp/splink-venv/bin/python',
  ].filter((p): p is string => Boolean(p));
  for (const python of candidates)
    if (existsSync(python) && fits(python)) return { python, note: python };
  const system = spawnSync('python3', ['--version'], { encoding: 'utf8' });
  if (system.status !== 0) return undefined;
  benchLog(`creating the Splink venv ${SPLINK_VENV} (pip install -r bench/peers/requirements.txt)`);
  mkdirSync(join(SPLINK_VENV, '..'), { recursive: true });
  const python = join(SPLINK_VENV, 'bin', 'python');
  if (!existsSync(python)) {
    const venv = spawnSync('python3', ['-m', 'venv', SPLINK_VENV], { stdio: 'inherit' });
    if (venv.status !== 0) throw new Error(`python3 -m venv ${SPLINK_VENV} failed`);
  }
  const pip = spawnSync(python, ['-m', 'pip', 'install', '--quiet', '-r', REQUIREMENTS], {
    stdio: 'inherit',
  });
  if (pip.status !== 0 || !fits(python))
    throw new Error(`pip install -r ${REQUIREMENTS} into ${SPLINK_VENV} failed`);
  return { python, note: `${python} (created now)` };
}

/** Installed Splink version of `python` (for the report). */
export function splinkVersion(python: string): string {
  return installedVersions(python, ['splink'])?.get('splink') ?? 'unknown';
}

/**
 * Runs bench/peers/splink_bench.py for one data set and one settings variant in a fresh Python
 * process, timed from spawn to exit.
 */
export async function runSplink(
  python: string,
  dataDir: string,
  dataset: string,
  settings: 'published' | 'matched',
): Promise<SplinkResult> {
  const started = performance.now();
  const child = spawn(
    python,
    [
      join(REPO_ROOT, 'bench', 'peers', 'splink_bench.py'),
      '--data',
      dataDir,
      '--settings',
      settings,
      '--only',
      dataset,
    ],
    {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, PYTHONUNBUFFERED: '1' },
    },
  );
  children.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  children.delete(child);
  const wallSeconds = (performance.now() - started) / 1000;
  if (code !== 0)
    throw new Error(
      `splink_bench.py ${dataset} ${settings} exited with ${code}:\n${stderr.slice(-3000)}`,
    );
  const line = stdout
    .split('\n')
    .map((l) => l.trim())
    .find((l) => l.startsWith('{'));
  if (!line) throw new Error(`splink_bench.py ${dataset} ${settings} printed no result`);
  return { ...splinkLineSchema.parse(JSON.parse(line)), wallSeconds };
}

// ------------------------------------------------------------------------------------------------
// Splink's published accuracy

const PUBLISHED_FILES: Readonly<Record<string, string>> = {
  febrl3: 'splink_febrl3_dedupe_accuracy.csv',
  febrl4: 'splink_febrl4_link_only_accuracy.csv',
  fake_1000: 'splink_fake1000_dedupe_accuracy.csv',
};

export interface PublishedAccuracy {
  file: string;
  /** The row used: the lowest match probability at or above the threshold. */
  matchProbability: number;
  precision: number;
  recall: number;
  f1: number;
}

/**
 * Splink's published accuracy table (one row per score at which the counts change; each row counts
 * the pairs scoring at least that much) read at `threshold`: the row with the lowest match
 * probability at or above it.
 */
export function publishedAccuracy(
  dataDir: string,
  dataset: string,
  threshold: number,
): PublishedAccuracy | undefined {
  const file = PUBLISHED_FILES[dataset];
  if (!file) return undefined;
  const path = join(dataDir, 'published', file);
  if (!existsSync(path)) return undefined;
  const [header, ...lines] = readFileSync(path, 'utf8').trim().split(/\r?\n/);
  const columns = header!.split(',');
  const column = (name: string) => {
    const index = columns.indexOf(name);
    if (index < 0) throw new Error(`${path}: no column ${name}`);
    return index;
  };
  const [mp, p, r, f] = ['match_probability', 'precision', 'recall', 'f1'].map(column) as [
    number,
    number,
    number,
    number,
  ];
  let best: PublishedAccuracy | undefined;
  for (const line of lines) {
    const cells = line.split(',').map(Number);
    const probability = cells[mp]!;
    if (probability < threshold || (best && probability >= best.matchProbability)) continue;
    best = {
      file,
      matchProbability: probability,
      precision: cells[p]!,
      recall: cells[r]!,
      f1: cells[f]!,
    };
  }
  return best;
}

// ------------------------------------------------------------------------------------------------
// Synthetic population for the speed runs

/** Seeded PRNG: the matching core's, so synthetic data is reproducible across tools. */
export const prng = createRandom;

const LETTERS = 'abcdefghijklmnopqrstuvwxyz';

/** One FEBRL-style typo: substitute, insert, delete or transpose one character. */
function typo(value: string, random: () => number): string {
  if (value.length < 2) return value;
  const at = Math.floor(random() * value.length);
  const letter = LETTERS[Math.floor(random() * LETTERS.length)]!;
  switch (Math.floor(random() * 4)) {
    case 0:
      return value.slice(0, at) + letter + value.slice(at + 1);
    case 1:
      return value.slice(0, at) + letter + value.slice(at);
    case 2:
      return value.slice(0, at) + value.slice(at + 1);
    default: {
      const i = Math.min(at, value.length - 2);
      return value.slice(0, i) + value[i + 1]! + value[i]! + value.slice(i + 2);
    }
  }
}

function digitTypo(value: string, random: () => number): string {
  if (value.length === 0) return value;
  const at = Math.floor(random() * value.length);
  return value.slice(0, at) + String(Math.floor(random() * 10)) + value.slice(at + 1);
}

const pad = (n: number, width: number) => String(n).padStart(width, '0');

export interface SyntheticPerson {
  readonly entity: string;
  readonly attributes: Readonly<Record<string, string>>;
}

/**
 * A FEBRL-like population drawn from the FEBRL records' own value distributions. Each person takes
 * its first name, surname, street (with address line 2 and house number) and suburb/postcode/state
 * from independently chosen original FEBRL records, so common values stay as common as in FEBRL
 * (block sizes grow with the population as they would in real data); date of birth is uniform over
 * 1920-2005 and the national id a random 7-digit number.
 */
export function syntheticPopulation(sources: readonly RawRecord[], seed: number) {
  const random = prng(seed);
  const originals = sources.filter((r) => /-org$/.test(r.id));
  const pick = () => originals[Math.floor(random() * originals.length)]!.attributes;
  let next = 0;
  const person = (): SyntheticPerson => {
    const names = [pick(), pick()] as const;
    const street = pick();
    const place = pick();
    const day = 86_400_000;
    const from = Date.UTC(1920, 0, 1);
    const dob = new Date(
      from + Math.floor(random() * ((Date.UTC(2005, 11, 31) - from) / day)) * day,
    );
    return {
      entity: `p${next++}`,
      attributes: {
        firstName: names[0].firstName ?? '',
        lastName: names[1].lastName ?? '',
        streetNumber: street.streetNumber ?? '',
        street: street.street ?? '',
        address2: street.address2 ?? '',
        city: place.city ?? '',
        postcode: place.postcode ?? '',
        state: place.state ?? '',
        dateOfBirth: dob.toISOString().slice(0, 10),
        socSecId: pad(Math.floor(random() * 1e7), 7),
      },
    };
  };
  /**
   * A duplicate with 1-3 FEBRL-like corruptions: typos in names, streets or suburbs, swapped names,
   * a missing value, a changed digit in the postcode or national id, a date of birth one day, one
   * month or one year off (dates stay calendar dates, as the API requires).
   */
  const duplicate = (of: SyntheticPerson): Record<string, string> => {
    const a = { ...of.attributes };
    const corruptions = 1 + Math.floor(random() * 3);
    for (let i = 0; i < corruptions; i++) {
      const kind = Math.floor(random() * 9);
      if (kind === 0) a.firstName = typo(a.firstName ?? '', random);
      else if (kind === 1) a.lastName = typo(a.lastName ?? '', random);
      else if (kind === 2) [a.firstName, a.lastName] = [a.lastName ?? '', a.firstName ?? ''];
      else if (kind === 3) a.street = typo(a.street ?? '', random);
      else if (kind === 4) a.city = typo(a.city ?? '', random);
      else if (kind === 5) a.postcode = digitTypo(a.postcode ?? '', random);
      else if (kind === 6) a.socSecId = random() < 0.5 ? '' : digitTypo(a.socSecId ?? '', random);
      else if (kind === 7) {
        const keys = [
          'firstName',
          'lastName',
          'street',
          'streetNumber',
          'city',
          'postcode',
          'dateOfBirth',
        ];
        a[keys[Math.floor(random() * keys.length)]!] = '';
      } else if (a.dateOfBirth) {
        const d = new Date(`${a.dateOfBirth}T00:00:00Z`);
        const shift = Math.floor(random() * 3);
        if (shift === 0) d.setUTCDate(d.getUTCDate() + (random() < 0.5 ? -1 : 1));
        else if (shift === 1) d.setUTCMonth(d.getUTCMonth() + (random() < 0.5 ? -1 : 1));
        else d.setUTCFullYear(d.getUTCFullYear() + (random() < 0.5 ? -1 : 1));
        a.dateOfBirth = d.toISOString().slice(0, 10);
      }
    }
    return a;
  };
  /** Copies per new person: 1 (60 %), 2 (25 %), 3 (10 %), 4 (5 %), as FEBRL's generator spreads them. */
  const copies = () => {
    const x = random();
    return x < 0.6 ? 1 : x < 0.85 ? 2 : x < 0.95 ? 3 : 4;
  };
  return { random, person, duplicate, copies };
}

/**
 * Records for the speed runs: `size` records of new persons (each with its copies), or, with
 * `existing`, a share `duplicateShare` of duplicates of those persons and the rest new persons.
 * Record ids are `<prefix>-<n>`; the truth maps them to persons.
 */
export function syntheticRecords(
  population: ReturnType<typeof syntheticPopulation>,
  size: number,
  prefix: string,
  existing: readonly SyntheticPerson[] = [],
  duplicateShare = 0,
): { raw: RawRecord[]; truth: TruthRecord[]; persons: SyntheticPerson[] } {
  const raw: RawRecord[] = [];
  const truth: TruthRecord[] = [];
  const persons: SyntheticPerson[] = [];
  const add = (entity: string, attributes: Record<string, string>) => {
    const id = `${prefix}-${raw.length}`;
    raw.push({ id, attributes });
    truth.push({ id, entity });
  };
  const duplicates = existing.length > 0 ? Math.round(size * duplicateShare) : 0;
  for (let i = 0; i < duplicates; i++) {
    const of = existing[Math.floor(population.random() * existing.length)]!;
    add(of.entity, population.duplicate(of));
  }
  while (raw.length < size) {
    const p = population.person();
    persons.push(p);
    add(p.entity, { ...p.attributes });
    const copies = population.copies();
    for (let c = 1; c < copies && raw.length < size; c++) add(p.entity, population.duplicate(p));
  }
  // Interleave: a source sends persons in no particular order.
  const order = raw.map((_, i) => i);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(population.random() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  return { raw: order.map((i) => raw[i]!), truth: order.map((i) => truth[i]!), persons };
}
