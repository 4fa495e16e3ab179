/**
 * Lookup latency and throughput: GET /v1/resolve and 1000-identifier POST /v1/resolve on a bulk-loaded graph of 1M identifiers.
 *
 * The graph: --identifiers / 3 persons with an email, a phone and a cookie id each (values are
 * realistic and seeded, normalised exactly as ingestion does), in the shape the resolver writes:
 * `(:Identifier)-[:BELONGS_TO]->(:Person)` plus two active LINKED relationships per person. It is
 * bulk-loaded with batched `UNWIND ... CREATE` (bench/write/lookup-*) because ingesting a million
 * identifiers through the queue would take far longer than the benchmark. No event log or audit
 * records: lookups read neither. The store lives in .data/bench-lookup and is reused by the next
 * run with the same --identifiers and --seed (--fresh yes rebuilds it); with NEO4J_URI and REDIS_URL
 * set, those are used instead (a disposable graph only; it is reloaded when its size differs).
 *
 * The API runs as its own process (`node --import tsx src/main.ts --api`, logs to a file), so the
 * load generator (autocannon, in this process) does not share its event loop; all three processes
 * share the machine's cores. After a correctness check and a warm-up, each run is:
 *   GET  /v1/resolve?type=&value=   --connections connections, --duration s: random existing
 *                                   identifiers of all three types, --unknown of them unknown (404)
 *   POST /v1/resolve                --batch-connections connections, --duration s: --batch random
 *                                   identifiers per call, same mix
 * Latencies are measured per response here (autocannon's histogram rounds to whole milliseconds),
 * over every answer, 404s included. CPU seconds per request of the API process, Neo4j and this
 * process are reported next to them: on a shared 2-core machine they explain the wall-clock numbers.
 *
 * --profile yes writes a V8 CPU profile of the API process to bench/.results/ and prints where its
 * time went (self time by package and by function).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import {
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import autocannon from 'autocannon';
import { loadConfig } from '../src/config.js';
import { createGraph, type Graph } from '../src/graph/graph-client.js';
import { type BenchGraph, benchStatements } from './cypher-support.js';
import { applyMigrations } from '../src/graph/migrations.js';
import { createLogger } from '../src/logger.js';
import { identifierRegistry } from '../src/resolver/resolver-config.js';
import {
  freePort,
  REPO_ROOT,
  startLocalServices,
  stopLocalServices,
} from '../scripts/local-services.mjs';
import {
  benchAuthHeader,
  benchEnv,
  benchFlags,
  benchLog,
  claimDisposableGraph,
  clearDisposableGraph,
  describeMachine,
  fmt,
  loadAverage,
  machineInfo,
  median,
  positiveInt,
  processCpuSeconds,
  saveResults,
  table,
} from './bench-support.js';
import { prng } from '../test/support/identity-generator.js';

const flags = benchFlags('usage: npm run bench -- lookup [flags]', {
  identifiers: { default: '1000000', help: 'identifiers in the graph (3 per person)' },
  runs: { default: '3', help: 'timed runs of each scenario (median reported)' },
  duration: { default: '10', help: 'seconds per timed run' },
  connections: { default: '50', help: 'concurrent connections for GET /v1/resolve' },
  batch: { default: '1000', help: 'identifiers per POST /v1/resolve' },
  'batch-connections': { default: '1', help: 'concurrent connections for POST /v1/resolve' },
  unknown: { default: '5', help: 'percent of looked-up identifiers that are not in the graph' },
  warmup: {
    default: '15',
    help: 'seconds of untimed load per scenario before the runs (JIT of Node and the JVM)',
  },
  'log-level': {
    default: 'info',
    help: 'LOG_LEVEL of the API process (the service default is info)',
  },
  pool: {
    default: '',
    help: 'NEO4J_MAX_POOL_SIZE of the API process (default: the service default)',
  },
  seed: { default: '42', help: 'dataset seed' },
  fresh: { default: 'no', help: 'yes: rebuild the stored graph even when it matches' },
  profile: { default: 'no', help: 'yes: V8 CPU profile of the API process (bench/.results/)' },
});

const identifierCount = positiveInt(flags.identifiers, 'identifiers');
const runs = positiveInt(flags.runs, 'runs');
const duration = positiveInt(flags.duration, 'duration');
const connections = positiveInt(flags.connections, 'connections');
const batchSize = positiveInt(flags.batch, 'batch');
const batchConnections = positiveInt(flags['batch-connections'], 'batch-connections');
const warmupSeconds = Number(flags.warmup);
const seed = positiveInt(flags.seed, 'seed');
const unknownShare = Number(flags.unknown) / 100;
if (batchSize > 1000) throw new Error('--batch must be at most 1000 (the API limit)');
if (!(unknownShare >= 0 && unknownShare < 1))
  throw new Error('--unknown must be a percentage in [0, 100)');
if (!(warmupSeconds >= 0)) throw new Error('--warmup must be a number of seconds');
for (const f of ['fresh', 'profile'] as const)
  if (!['yes', 'no'].includes(flags[f])) throw new Error(`--${f} must be yes or no`);

const persons = Math.ceil(identifierCount / 3);
const expected = { identifiers: persons * 3, activePersons: persons, links: persons * 2 };
/** Bumped whenever the generated graph changes, so a stored graph of an older shape is rebuilt. */
const DATASET_VERSION = 1;
const LOAD_BATCH = 2000; // persons per load transaction
const LOAD_CONCURRENCY = 2;

// ------------------------------------------------------------------------------------------------
// The dataset: person i is a pure function of (seed, i), so request lists never need the graph.

const mix = (a: number, b: number) =>
  Math.imul(a ^ Math.imul(b, 0x9e3779b1), 0x85ebca6b) ^ (b >>> 13);

const FIRST = [
  'Anna',
  'Ben',
  'Clara',
  'David',
  'Emma',
  'Felix',
  'Greta',
  'Hannah',
  'Jonas',
  'Lea',
  'Lukas',
  'Marie',
  'Noah',
  'Paul',
  'Sophie',
  'Tom',
  'Mia',
  'Elias',
  'Lina',
  'Finn',
];
const LAST = [
  'Schmidt',
  'Mueller',
  'Schneider',
  'Fischer',
  'Weber',
  'Meyer',
  'Wagner',
  'Becker',
  'Schulz',
  'Hoffmann',
  'Koch',
  'Richter',
  'Klein',
  'Wolf',
  'Neumann',
  'Braun',
];
const DOMAINS = [
  'gmail.com',
  'web.de',
  'gmx.de',
  't-online.de',
  'outlook.com',
  'yahoo.de',
  'icloud.com',
  'posteo.de',
];
const MOBILE_PREFIXES = [
  '151',
  '152',
  '157',
  '159',
  '160',
  '162',
  '163',
  '170',
  '171',
  '172',
  '173',
  '174',
  '175',
  '176',
  '177',
  '178',
  '179',
];
const TYPES = ['email', 'phone', 'cookie_id'] as const;
const DAY = 86_400_000;
const EPOCH = Date.UTC(2025, 0, 1);

const pick = <T>(list: readonly T[], r: () => number) => list[Math.floor(r() * list.length)]!;

function uuid4(r: () => number): string {
  const b = Array.from({ length: 16 }, () => Math.floor(r() * 256));
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = b.map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/**
 * Raw identifier values as a client would send them. `n` makes email and phone unique (the phone's
 * subscriber number is a bijection of n below 10^8); the cookie id is a random UUID.
 */
function rawIdentifiers(n: number, r: () => number): Record<(typeof TYPES)[number], string> {
  const subscriber = String((n * 7919 + 1_234_567) % 100_000_000).padStart(8, '0');
  return {
    email: `${pick(FIRST, r)}.${pick(LAST, r)}${n}@${pick(DOMAINS, r)}`,
    phone: `+49 ${MOBILE_PREFIXES[n % MOBILE_PREFIXES.length]} ${subscriber}`,
    cookie_id: uuid4(r),
  };
}

interface BenchPerson {
  id: string;
  createdAt: number;
  raw: Record<(typeof TYPES)[number], string>;
}

function person(i: number): BenchPerson {
  const r = prng(mix(seed, i));
  const id = `per_${Buffer.from(Array.from({ length: 16 }, () => Math.floor(r() * 256))).toString('base64url')}`;
  const createdAt = EPOCH + Math.floor(r() * 365 * DAY);
  return { id, createdAt, raw: rawIdentifiers(i, r) };
}

/** An identifier no person has: numbered past the last person, from another random stream. */
function unknownIdentifier(j: number, r: () => number): { type: string; value: string } {
  const type = pick(TYPES, r);
  return { type, value: rawIdentifiers(persons + j, prng(mix(seed ^ 0x5bd1e995, j)))[type] };
}

/** A looked-up identifier: an existing one of a random person and type, or (--unknown) an unknown one. */
function probe(
  r: () => number,
  k: number,
): { type: string; value: string; personId: string | null } {
  if (r() < unknownShare) return { ...unknownIdentifier(k, r), personId: null };
  const p = person(Math.floor(r() * persons));
  const type = pick(TYPES, r);
  return { type, value: p.raw[type], personId: p.id };
}

// ------------------------------------------------------------------------------------------------
// Services and the stored graph

const logger = createLogger('warn');
const registry = identifierRegistry(loadConfig({}));

function normalized(type: string, raw: string) {
  const n = registry.normalize(type, raw);
  if (!n.ok)
    throw new Error(`generated ${type} does not normalise (${n.reason}): fix the generator`);
  return n;
}

async function loadGraph(graph: BenchGraph): Promise<void> {
  const started = performance.now();
  let next = 0;
  let done = 0;
  let reported = 0;
  await Promise.all(
    Array.from({ length: LOAD_CONCURRENCY }, async () => {
      while (next < persons) {
        const from = next;
        const to = Math.min(persons, from + LOAD_BATCH);
        next = to;
        const rows: Record<string, unknown>[] = [];
        const links: Record<string, unknown>[] = [];
        for (let i = from; i < to; i++) {
          const p = person(i);
          const r = prng(mix(seed ^ 0x27d4eb2f, i));
          const ids = TYPES.map((type) => normalized(type, p.raw[type]));
          const lastSeen = p.createdAt + Math.floor(r() * 180 * DAY);
          rows.push({
            id: p.id,
            createdAt: p.createdAt,
            updatedAt: p.createdAt,
            identifiers: ids.map((n) => ({ key: n.key, type: n.type, value: n.value, lastSeen })),
          });
          // Email-phone and email-cookie, as one event reporting all three would link them (keys sorted).
          for (const other of [ids[1]!, ids[2]!]) {
            const [a, b] = [ids[0]!.key, other.key].sort();
            links.push({
              fromKey: a,
              toKey: b,
              id: `lnk_${Buffer.from(Array.from({ length: 16 }, () => Math.floor(r() * 256))).toString('base64url')}`,
              firstSeen: p.createdAt,
              lastSeen,
              sources: ['web'],
              purposes: ['identity_linking'],
              events: [`web/evt-${i}`],
            });
          }
        }
        await graph.writeTransaction('bench-lookup-load', async (tx) => {
          await tx.run('bench/write/lookup-persons', { persons: rows });
          await tx.run('bench/write/lookup-links', { links });
        });
        done += to - from;
        if (done - reported >= persons / 10 || done === persons) {
          reported = done;
          benchLog(
            `loaded ${fmt(done * 3)} / ${fmt(expected.identifiers)} identifiers (${((performance.now() - started) / 1000).toFixed(0)} s)`,
          );
        }
      }
    }),
  );
}

async function graphMatches(graph: Graph): Promise<boolean> {
  const [totals] = await graph.query<Record<string, number>>('read/graph-totals');
  return (
    totals?.identifiers === expected.identifiers &&
    totals.activePersons === expected.activePersons &&
    totals.links === expected.links
  );
}

function directorySize(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    total += entry.isDirectory() ? directorySize(path) : entry.isFile() ? statSync(path).size : 0;
  }
  return total;
}

interface LookupServices {
  neo4jUri: string;
  redisUrl: string;
  neo4jPid: number | undefined;
  neo4jMemory: { heap: string; pageCache: string } | undefined;
  /** Size of the Neo4j store on disk (local services only). */
  storeBytes: number | undefined;
  loadSeconds: number | undefined;
  stop(): Promise<void>;
}

/**
 * Neo4j and Redis with the benchmark graph loaded: NEO4J_URI and REDIS_URL when both are set,
 * otherwise a private pair in .data/bench-lookup on spare ports, whose store is kept for the next run.
 */
async function lookupServices(): Promise<LookupServices> {
  const external =
    process.env.NEO4J_URI && process.env.REDIS_URL
      ? { neo4jUri: process.env.NEO4J_URI, redisUrl: process.env.REDIS_URL }
      : undefined;
  const dataDir = join(REPO_ROOT, '.data', 'bench-lookup');
  const markerFile = join(dataDir, 'dataset.json');
  const marker = JSON.stringify({
    version: DATASET_VERSION,
    seed,
    identifiers: expected.identifiers,
  });
  const heap = process.env.NEO4J_HEAP || '2g';
  const pageCache = process.env.NEO4J_PAGECACHE || '2g';

  let started: Awaited<ReturnType<typeof startLocalServices>> | undefined;
  if (!external) {
    // A run killed before it stopped its services leaves them running from this DATA_DIR.
    await stopLocalServices({ dataDir, log: () => {} });
    const reusable =
      flags.fresh === 'no' && existsSync(markerFile) && readFileSync(markerFile, 'utf8') === marker;
    if (!reusable && existsSync(dataDir)) {
      benchLog(
        `removing the stored graph in ${relative(REPO_ROOT, dataDir)} (${flags.fresh === 'yes' ? '--fresh yes' : 'another dataset'})`,
      );
      rmSync(dataDir, { recursive: true, force: true });
    }
    mkdirSync(dataDir, { recursive: true });
    started = await startLocalServices({
      dataDir,
      neo4jBoltPort: await freePort(),
      redisPort: await freePort(),
      heap,
      pageCache,
      log: (m: string) => benchLog(m),
    });
  }
  const neo4jUri = external?.neo4jUri ?? started!.neo4jUri;
  const redisUrl = external?.redisUrl ?? started!.redisUrl;
  const config = loadConfig(benchEnv({ neo4jUri, redisUrl }));
  const graph = createGraph({
    uri: neo4jUri,
    user: config.NEO4J_USER,
    password: config.NEO4J_PASSWORD,
    logger,
    statements: benchStatements(),
  });
  let loadSeconds: number | undefined;
  try {
    await applyMigrations(graph, logger);
    await claimDisposableGraph(graph, neo4jUri);
    if (await graphMatches(graph)) {
      benchLog(
        `reusing the stored graph: ${fmt(expected.identifiers)} identifiers, ${fmt(persons)} persons`,
      );
    } else {
      rmSync(markerFile, { force: true });
      await clearDisposableGraph(graph);
      benchLog(`bulk-loading ${fmt(expected.identifiers)} identifiers of ${fmt(persons)} persons`);
      const t0 = performance.now();
      await loadGraph(graph);
      loadSeconds = (performance.now() - t0) / 1000;
      if (!(await graphMatches(graph)))
        throw new Error('the loaded graph does not have the expected size');
      if (!external) writeFileSync(markerFile, marker);
      benchLog(`loaded in ${loadSeconds.toFixed(0)} s`);
    }
    const t0 = performance.now();
    const [warm] = await graph.query<{ identifiers: number; persons: number }>(
      'bench/read/lookup-warm-up',
    );
    benchLog(
      `page cache warmed: ${fmt(warm?.identifiers ?? 0)} identifiers read in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    );
  } catch (error) {
    await graph.close();
    await started?.stop();
    throw error;
  }
  await graph.close();
  const storeDir = join(dataDir, 'neo4j', 'data', 'databases', 'neo4j');
  return {
    neo4jUri,
    redisUrl,
    neo4jPid: started?.neo4j.started ? started.neo4j.pid : undefined,
    neo4jMemory: external ? undefined : { heap, pageCache },
    storeBytes: !external && existsSync(storeDir) ? directorySize(storeDir) : undefined,
    loadSeconds,
    stop: async () => {
      await started?.stop();
    },
  };
}

// ------------------------------------------------------------------------------------------------
// The API process

interface ApiProcess {
  url: string;
  pid: number;
  logFile: string;
  stop(): Promise<void>;
}

const children = new Set<ChildProcess>();

async function startApi(
  services: LookupServices,
  profileDir: string | undefined,
): Promise<ApiProcess> {
  const port = await freePort();
  const logDir = mkdtempSync(join(tmpdir(), 'idgraph-bench-lookup-'));
  const logFile = join(logDir, 'api.log');
  const env = benchEnv(services, {
    HOST: '127.0.0.1',
    PORT: String(port),
    LOG_LEVEL: flags['log-level'],
    RATE_LIMIT_MAX: '0',
    ...(flags.pool ? { NEO4J_MAX_POOL_SIZE: flags.pool } : {}),
  });
  const fd = openSync(logFile, 'a');
  const nodeFlags = profileDir ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : [];
  const child = spawn(process.execPath, [...nodeFlags, '--import', 'tsx', 'src/main.ts', '--api'], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', fd, fd],
  });
  closeSync(fd);
  children.add(child);
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null)
      throw new Error(`the API process exited with ${child.exitCode}; see ${logFile}`);
    const ready = await fetch(`${url}/readyz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) break;
    if (Date.now() > deadline)
      throw new Error(`the API process was not ready within 60 s; see ${logFile}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url,
    pid: child.pid!,
    logFile,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        await new Promise<void>((resolve) => {
          child.once('exit', () => resolve());
          child.kill('SIGTERM');
        });
      }
      children.delete(child);
      rmSync(logDir, { recursive: true, force: true });
    },
  };
}

// ------------------------------------------------------------------------------------------------
// Load

const r = prng(mix(seed, 0x7fffffff));
let probeCount = 0;
const nextProbe = () => probe(r, probeCount++);

/** Query strings of GET lookups, prepared before anything is timed and used round-robin. */
const getProbes = Array.from({ length: 200_000 }, nextProbe);
const getPaths = getProbes.map(
  (p) => `/v1/resolve?type=${p.type}&value=${encodeURIComponent(p.value)}`,
);
/** Bodies of POST lookups, likewise. */
const postProbes = Array.from({ length: 100 }, () => Array.from({ length: batchSize }, nextProbe));
const postBodies = postProbes.map((list) =>
  JSON.stringify({ identifiers: list.map(({ type, value }) => ({ type, value })) }),
);

/** Nearest-rank percentile of sorted values. */
const percentile = (sorted: Float64Array, p: number) =>
  sorted.length === 0
    ? NaN
    : sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;

interface LoadResult {
  requests: number;
  seconds: number;
  perSecond: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  status: Record<string, number>;
  errors: number;
  timeouts: number;
  cpuMsPerRequest: {
    api: number | undefined;
    neo4j: number | undefined;
    loadGenerator: number | undefined;
  };
  logBytesPerRequest: number;
  loadAverage: number;
}

interface Scenario {
  label: string;
  method: 'GET' | 'POST';
  connections: number;
  next: () => { path: string; body?: string };
}

async function cannon(
  api: ApiProcess,
  services: LookupServices,
  scenario: Scenario,
  seconds: number,
): Promise<LoadResult> {
  const latencies: number[] = [];
  const cpu = () => ({
    api: processCpuSeconds(api.pid),
    neo4j: processCpuSeconds(services.neo4jPid),
    self: processCpuSeconds(process.pid),
  });
  const logSize = () => (existsSync(api.logFile) ? statSync(api.logFile).size : 0);
  const before = { cpu: cpu(), log: logSize() };
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url: api.url,
        connections: scenario.connections,
        duration: seconds,
        headers: {
          ...benchAuthHeader,
          ...(scenario.method === 'POST' ? { 'content-type': 'application/json' } : {}),
        },
        requests: [
          {
            method: scenario.method,
            setupRequest: (request) => {
              const { path, body } = scenario.next();
              return body === undefined ? { ...request, path } : { ...request, path, body };
            },
          },
        ],
      },
      (error: Error | null, res) => (error ? reject(error) : resolve(res)),
    );
    instance.on('response', (_client, _status, _bytes, ms) => latencies.push(ms));
  });
  const after = { cpu: cpu(), log: logSize() };
  const sorted = Float64Array.from(latencies).sort();
  const requests = latencies.length;
  const per = (a: number | undefined, b: number | undefined) =>
    a === undefined || b === undefined || requests === 0 ? undefined : ((b - a) * 1000) / requests;
  const status = Object.fromEntries(
    Object.entries(result.statusCodeStats ?? {}).map(([code, s]) => [code, s.count ?? 0]),
  );
  return {
    requests,
    seconds: result.duration,
    perSecond: requests / result.duration,
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    max: sorted[sorted.length - 1] ?? NaN,
    status,
    errors: result.errors,
    timeouts: result.timeouts,
    cpuMsPerRequest: {
      api: per(before.cpu.api, after.cpu.api),
      neo4j: per(before.cpu.neo4j, after.cpu.neo4j),
      loadGenerator: per(before.cpu.self, after.cpu.self),
    },
    logBytesPerRequest: requests === 0 ? 0 : (after.log - before.log) / requests,
    loadAverage: loadAverage(),
  };
}

/** Answers must be right before they are timed: person ids of known identifiers, 404 / null for unknown ones. */
async function checkAnswers(api: ApiProcess): Promise<void> {
  for (const p of getProbes.slice(0, 300)) {
    const response = await fetch(
      `${api.url}/v1/resolve?type=${p.type}&value=${encodeURIComponent(p.value)}`,
      { headers: benchAuthHeader },
    );
    const body = (await response.json()) as { personId?: string };
    const ok =
      p.personId === null
        ? response.status === 404
        : response.status === 200 && body.personId === p.personId;
    if (!ok)
      throw new Error(
        `GET /v1/resolve answered ${response.status} ${JSON.stringify(body)} for a${p.personId ? ' known' : 'n unknown'} ${p.type}`,
      );
  }
  const response = await fetch(`${api.url}/v1/resolve`, {
    method: 'POST',
    headers: { ...benchAuthHeader, 'content-type': 'application/json' },
    body: postBodies[0],
  });
  const { results } = (await response.json()) as { results: { personId: string | null }[] };
  if (response.status !== 200 || results.length !== batchSize)
    throw new Error(`POST /v1/resolve answered ${response.status}`);
  results.forEach((result, i) => {
    if (result.personId !== postProbes[0]![i]!.personId)
      throw new Error(`POST /v1/resolve: result ${i} has the wrong person`);
  });
}

// ------------------------------------------------------------------------------------------------
// CPU profile summary

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

/** Where the API process spent its time: self time by package (or source folder) and by function. */
function summariseProfile(dir: string): string {
  const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
  if (!file) return `no .cpuprofile in ${dir}`;
  const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as {
    nodes: ProfileNode[];
    startTime: number;
    endTime: number;
    samples: number[];
  };
  const total = profile.nodes.reduce((n, node) => n + (node.hitCount ?? 0), 0);
  const area = (url: string, fn: string) => {
    if (!url) return fn.startsWith('(') ? fn : '(native)';
    const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)?.[1];
    if (pkg) return pkg;
    if (url.startsWith('node:')) return 'node internals';
    const src = /\/(src|bench)\/([^/]+)\//.exec(url);
    return src ? `${src[1]}/${src[2]}` : url.replace(/^file:\/\//, '');
  };
  const byArea = new Map<string, number>();
  const byFunction = new Map<string, number>();
  for (const node of profile.nodes) {
    const hits = node.hitCount ?? 0;
    if (hits === 0) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    const a = area(url, functionName);
    byArea.set(a, (byArea.get(a) ?? 0) + hits);
    const f = `${functionName || '(anonymous)'}  ${a}${url ? `:${lineNumber + 1}` : ''}`;
    byFunction.set(f, (byFunction.get(f) ?? 0) + hits);
  }
  const top = (m: Map<string, number>, n: number) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([k, v]) => [k, `${((100 * v) / total).toFixed(1)} %`]);
  return [
    `CPU profile of the API process: ${join(relative(REPO_ROOT, dir), file)} (${fmt(total)} samples)`,
    '',
    table(['self time by package / folder', 'share'], top(byArea, 20)),
    '',
    table(['self time by function', 'share'], top(byFunction, 30)),
  ].join('\n');
}

// ------------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const machine = machineInfo();
  const services = await lookupServices();
  let api: ApiProcess | undefined;
  const stop = async () => {
    for (const child of children) child.kill('SIGKILL');
    await services.stop();
  };
  let interrupted = false;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (interrupted) return;
      interrupted = true;
      benchLog(`${signal}: stopping`);
      void stop().finally(() => process.exit(130));
    });
  }
  const profileDir =
    flags.profile === 'yes'
      ? join(
          REPO_ROOT,
          'bench',
          '.results',
          `lookup-profile-${new Date().toISOString().replace(/[:.]/g, '-')}`,
        )
      : undefined;
  if (profileDir) mkdirSync(profileDir, { recursive: true });
  try {
    api = await startApi(services, profileDir);
    await checkAnswers(api);
    benchLog(
      'answers checked: known identifiers resolve to their person, unknown ones are 404 / null',
    );

    let getIndex = 0;
    let postIndex = 0;
    const scenarios: Scenario[] = [
      {
        label: 'GET /v1/resolve',
        method: 'GET',
        connections,
        next: () => ({ path: getPaths[getIndex++ % getPaths.length]! }),
      },
      {
        label: `POST /v1/resolve (${batchSize} ids)`,
        method: 'POST',
        connections: batchConnections,
        next: () => ({ path: '/v1/resolve', body: postBodies[postIndex++ % postBodies.length]! }),
      },
    ];
    if (warmupSeconds > 0) {
      for (const scenario of scenarios) await cannon(api, services, scenario, warmupSeconds);
      benchLog(`warmed up (${warmupSeconds} s per scenario)`);
    }
    const results: Record<string, LoadResult[]> = Object.fromEntries(
      scenarios.map((s) => [s.label, []]),
    );
    for (let run = 1; run <= runs; run++) {
      for (const scenario of scenarios) {
        const result = await cannon(api, services, scenario, duration);
        results[scenario.label]!.push(result);
        const other = Object.entries(result.status).filter(
          ([code]) => code !== '200' && code !== '404',
        );
        benchLog(
          `${scenario.label} run ${run}: ${fmt(result.perSecond)}/s, p50 ${result.p50.toFixed(2)} ms, p99 ${result.p99.toFixed(2)} ms` +
            `${other.length > 0 ? `, other statuses ${JSON.stringify(Object.fromEntries(other))}` : ''}${result.errors > 0 ? `, ${result.errors} errors` : ''}` +
            ` (load ${result.loadAverage.toFixed(1)})`,
        );
      }
    }
    await api.stop();
    api = undefined;

    const ms = (v: number) => v.toFixed(2);
    const cpuMs = (v: number | undefined) => (v === undefined ? '-' : v.toFixed(3));
    const rowsFor = (list: LoadResult[], unit: string) =>
      [
        ...list.map((res, i) => {
          const notOk = Object.entries(res.status)
            .filter(([code]) => code !== '200' && code !== '404')
            .reduce((n, [, c]) => n + c, 0);
          return [
            `run ${i + 1}`,
            fmt(res.perSecond),
            ms(res.p50),
            ms(res.p99),
            ms(res.max),
            `${fmt(res.status['404'] ?? 0)} (${(((res.status['404'] ?? 0) * 100) / Math.max(1, res.requests)).toFixed(1)} %)`,
            fmt(notOk + res.errors + res.timeouts),
            `${cpuMs(res.cpuMsPerRequest.api)} / ${cpuMs(res.cpuMsPerRequest.neo4j)} / ${cpuMs(res.cpuMsPerRequest.loadGenerator)}`,
            fmt(res.logBytesPerRequest),
            res.loadAverage.toFixed(1),
          ];
        }),
        [
          'median',
          fmt(median(list.map((x) => x.perSecond))),
          ms(median(list.map((x) => x.p50))),
          ms(median(list.map((x) => x.p99))),
          '',
          '',
          '',
          '',
          '',
          '',
        ].map((c, i) => (i === 0 ? `**${c}**` : c)),
      ].map((row) =>
        row.map((c, i) => (i === 1 && c !== '' && !c.startsWith('*') ? `${c} ${unit}` : c)),
      );
    const header = [
      'run',
      'throughput',
      'p50 ms',
      'p99 ms',
      'max ms',
      '404 (unknown)',
      'errors + other non-2xx',
      'CPU ms/req: API / Neo4j / autocannon',
      'log B/req',
      'load avg',
    ];
    const command = `npm run bench -- lookup ${process.argv.slice(2).join(' ')}`.trim();
    const summary = {
      get: {
        perSecond: median(results[scenarios[0]!.label]!.map((x) => x.perSecond)),
        p50: median(results[scenarios[0]!.label]!.map((x) => x.p50)),
        p99: median(results[scenarios[0]!.label]!.map((x) => x.p99)),
      },
      post: {
        perSecond: median(results[scenarios[1]!.label]!.map((x) => x.perSecond)),
        p50: median(results[scenarios[1]!.label]!.map((x) => x.p50)),
        p99: median(results[scenarios[1]!.label]!.map((x) => x.p99)),
      },
    };
    process.stdout.write(
      [
        '',
        `## Lookup: ${fmt(expected.identifiers)} identifiers, ${fmt(persons)} persons, ${runs} runs of ${duration} s`,
        '',
        `command: ${command}`,
        describeMachine(machine),
        services.neo4jMemory
          ? `neo4j memory: heap ${services.neo4jMemory.heap}, page cache ${services.neo4jMemory.pageCache}`
          : 'neo4j: external (NEO4J_URI)',
        services.storeBytes !== undefined
          ? `neo4j store on disk: ${fmt(services.storeBytes / 2 ** 20)} MiB`
          : '',
        services.loadSeconds !== undefined
          ? `bulk load: ${services.loadSeconds.toFixed(0)} s`
          : 'bulk load: reused the stored graph',
        `API process: node --import tsx src/main.ts --api, LOG_LEVEL=${flags['log-level']}, RATE_LIMIT_MAX=0${flags.pool ? `, NEO4J_MAX_POOL_SIZE=${flags.pool}` : ''}`,
        `load: autocannon in the bench process; ${fmt(unknownShare * 100)} % unknown identifiers; warm-up ${warmupSeconds} s per scenario`,
        '',
        `### GET /v1/resolve, ${connections} connections`,
        '',
        table(header, rowsFor(results[scenarios[0]!.label]!, 'req/s')),
        '',
        `### POST /v1/resolve, ${batchSize} identifiers per call, ${batchConnections} connection${batchConnections === 1 ? '' : 's'}`,
        '',
        table(header, rowsFor(results[scenarios[1]!.label]!, 'calls/s')),
        '',
        `medians: GET ${fmt(summary.get.perSecond)} req/s, p50 ${ms(summary.get.p50)} ms, p99 ${ms(summary.get.p99)} ms; ` +
          `POST ${fmt(summary.post.perSecond, 1)} calls/s, p50 ${ms(summary.post.p50)} ms, p99 ${ms(summary.post.p99)} ms`,
        '',
        profileDir ? summariseProfile(profileDir) : '',
        '',
      ].join('\n'),
    );
    const file = saveResults('lookup', {
      command,
      machine,
      identifiers: expected.identifiers,
      persons,
      seed,
      runs,
      duration,
      connections,
      batchSize,
      batchConnections,
      unknownShare,
      logLevel: flags['log-level'],
      pool: flags.pool || undefined,
      neo4jMemory: services.neo4jMemory,
      storeBytes: services.storeBytes,
      loadSeconds: services.loadSeconds,
      results,
      summary,
      profileDir: profileDir && relative(REPO_ROOT, profileDir),
    });
    benchLog(`results saved to ${relative(REPO_ROOT, file)}`);
  } finally {
    await api?.stop();
    await stop();
  }
}

// Services are stopped by now (main's finally); exit even if a client left a handle open.
main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(
      `bench lookup failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    for (const child of children) child.kill('SIGKILL');
    process.exit(1);
  },
);
