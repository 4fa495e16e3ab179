import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  freePort,
  LAUNCHER_DIR,
  REPO_ROOT,
  startLocalServices,
} from '../scripts/local-services.mjs';
import type { Graph } from '../src/graph/graph-client.js';

/**
 * Shared by the benchmarks in `bench/` (run with `npm run bench -- <name>`): services to run
 * against, flags, statistics, the machine description every result is reported with, and a guard
 * that the graph a benchmark clears is a disposable one.
 *
 * Files in `bench/` ending in `-support.ts` are helpers, not benchmarks.
 */

export const benchLog = (message: string) => process.stderr.write(`[bench] ${message}\n`);

export interface BenchServices {
  neo4jUri: string;
  redisUrl: string;
  /** True when NEO4J_URI / REDIS_URL pointed at services this run did not start. */
  external: boolean;
  /** Heap and page cache of the Neo4j this run started (undefined for an external one). */
  neo4jMemory: { heap: string; pageCache: string } | undefined;
  /** Process ids of the Neo4j and Redis this run started, for CPU accounting. */
  pids: { neo4j?: number | undefined; redis?: number | undefined };
  /** Stops what this run started and removes its temporary data directory. */
  stop(): Promise<void>;
}

/**
 * Neo4j and Redis for a benchmark: NEO4J_URI and REDIS_URL when both are set, otherwise a private
 * pair on spare loopback ports in a temporary DATA_DIR (removed again by `stop()`).
 * Memory of the started Neo4j: NEO4J_HEAP (default 4g) and NEO4J_PAGECACHE (default 2g).
 */
export async function benchServices(): Promise<BenchServices> {
  const neo4jUri = process.env.NEO4J_URI;
  const redisUrl = process.env.REDIS_URL;
  if (neo4jUri && redisUrl) {
    return {
      neo4jUri,
      redisUrl,
      external: true,
      neo4jMemory: undefined,
      pids: {},
      stop: async () => {},
    };
  }
  const heap = process.env.NEO4J_HEAP || '4g';
  const pageCache = process.env.NEO4J_PAGECACHE || '2g';
  const dataDir = mkdtempSync(join(tmpdir(), 'idgraph-bench-'));
  try {
    const started = await startLocalServices({
      dataDir,
      neo4jBoltPort: neo4jUri ? undefined : await freePort(),
      redisPort: redisUrl ? undefined : await freePort(),
      heap,
      pageCache,
      log: (m: string) => benchLog(m),
    });
    return {
      neo4jUri: started.neo4jUri,
      redisUrl: started.redisUrl,
      external: Boolean(neo4jUri || redisUrl),
      neo4jMemory: neo4jUri ? undefined : { heap, pageCache },
      pids: {
        neo4j: started.neo4j.started ? started.neo4j.pid : undefined,
        redis: started.redis.started ? started.redis.pid : undefined,
      },
      async stop() {
        await started.stop();
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
}

/** The API key benchmarks call the API with (configured by {@link benchEnv}; every scope). */
export const BENCH_API_KEY = 'bench-only-key-0123456789abcdef';
export const benchAuthHeader = { authorization: `Bearer ${BENCH_API_KEY}` };

/**
 * The blocking-key HMAC secret benchmarks run the service with: the service requires one in
 * production (NODE_ENV=production, as {@link benchEnv} sets), and a benchmark graph is disposable.
 */
export const BENCH_MATCH_KEY_SECRET = 'bench-only-match-key-secret-0123456789';

/** The service's environment for a benchmark: quiet logs, the bench services, API key and matching secret, then `overrides`. */
export function benchEnv(
  services: Pick<BenchServices, 'neo4jUri' | 'redisUrl'>,
  overrides: Record<string, string> = {},
): Record<string, string> {
  const auth: Record<string, string> = process.env.NEO4J_PASSWORD
    ? { NEO4J_USER: process.env.NEO4J_USER ?? 'neo4j', NEO4J_PASSWORD: process.env.NEO4J_PASSWORD }
    : {};
  const apiKeys = [
    {
      name: 'bench',
      key: BENCH_API_KEY,
      scopes: ['events:write', 'persons:read', 'audit:read', 'audit:write', 'privacy:write'],
    },
  ];
  return {
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    NEO4J_URI: services.neo4jUri,
    REDIS_URL: services.redisUrl,
    ...auth,
    IDGRAPH_API_KEYS: JSON.stringify(apiKeys),
    MATCH_KEY_SECRET: BENCH_MATCH_KEY_SECRET,
    ...overrides,
  };
}

/**
 * Marks a graph as disposable, exactly as the integration setup does: only a graph that is empty
 * or already carries the test marker may be marked (and later cleared) by a benchmark.
 */
export async function claimDisposableGraph(
  graph: Pick<Graph, 'query'>,
  uri: string,
): Promise<void> {
  const [state] = await graph.query<{ marked: boolean; hasData: boolean }>(
    'read/graph-is-test-instance',
  );
  if (!state?.marked && state?.hasData) {
    throw new Error(
      `refusing to run: ${uri} holds data and is not a test instance (benchmarks clear the graph)`,
    );
  }
  await graph.query('write/mark-test-instance');
}

/** Deletes everything but the migrations and the test marker (see {@link claimDisposableGraph}). */
export async function clearDisposableGraph(
  graph: Pick<Graph, 'query' | 'autoCommit'>,
): Promise<void> {
  const [state] = await graph.query<{ marked: boolean }>('read/graph-is-test-instance');
  if (!state?.marked) throw new Error('not a test instance: refusing to clear the graph');
  await graph.autoCommit('write/clear-test-graph');
}

const CLOCK_TICKS_PER_SECOND = 100; // _SC_CLK_TCK: 100 on every Linux architecture Node supports

/**
 * CPU seconds (user + system) a process has used so far, from /proc (Linux only; undefined
 * elsewhere or when the process is gone). On a shared 2-core machine wall time depends on what else
 * runs; CPU time per event does not, so benchmarks report both.
 */
export function processCpuSeconds(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command name (which may itself contain spaces).
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

function cpuTimes(): { idle: number; steal: number; total: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]!; // "cpu  user nice system idle iowait irq softirq steal guest guest_nice"
  // guest and guest_nice are already counted in user and nice.
  const fields = line.trim().split(/\s+/).slice(1, 9).map(Number);
  return {
    idle: (fields[3] ?? 0) + (fields[4] ?? 0),
    steal: fields[7] ?? 0,
    total: fields.reduce((a, b) => a + b, 0),
  };
}

/** The machine's CPU counters now, for {@link stealShare}; undefined when /proc/stat is unreadable. */
export function machineCpu(): { steal: number; total: number } | undefined {
  try {
    return cpuTimes();
  } catch {
    return undefined;
  }
}

/**
 * Share of the machine's CPU time between two {@link machineCpu} readings that the hypervisor gave
 * to other guests (Linux's "steal"). On a shared KVM host it swings from a few % to over a third
 * within an hour, and a run's speed with it: a run is only comparable with runs at similar steal.
 */
export function stealShare(
  before: ReturnType<typeof machineCpu>,
  after: ReturnType<typeof machineCpu>,
): number | undefined {
  if (!before || !after) return undefined;
  const total = after.total - before.total;
  return total > 0 ? (after.steal - before.steal) / total : undefined;
}

/**
 * The host's speed now: MB/s of SHA-256 over a fixed buffer on one core, taken over `ms`. What this
 * KVM guest gets done per CPU second drifts over hours, and steal does not show all of it: the same
 * code took ~1,100 ms of CPU per 1000 records in one session and ~1,500 at 3-6 % steal in another
 * (docs/benchmarks.md). Taken while the machine is idle, just before a timed run, so that runs can
 * be compared with runs at a similar figure.
 */
export function hostSpeed(ms = 500): number {
  const buffer = Buffer.alloc(64 * 1024, 7);
  let bytes = 0;
  const started = performance.now();
  while (performance.now() - started < ms) {
    for (let i = 0; i < 16; i++) createHash('sha256').update(buffer).digest();
    bytes += 16 * buffer.length;
  }
  return bytes / 1e6 / ((performance.now() - started) / 1000);
}

/** A {@link hostSpeed} reading as the benchmarks print it. */
export const describeHost = (mbPerSecond: number | undefined) =>
  mbPerSecond === undefined ? 'n/a' : `${fmt(mbPerSecond)} MB/s`;

/** A steal share as the benchmarks print it. */
export const describeSteal = (share: number | undefined) =>
  share === undefined ? 'n/a' : `${Math.round(share * 100)} %`;

/**
 * Share of the machine's CPU time that was idle over the next `ms` milliseconds (Linux; 1 when
 * /proc/stat is unreadable). Between runs the benchmark's own services are idle, so a low value
 * means something else is running.
 */
export async function cpuIdleFraction(ms = 2000): Promise<number> {
  try {
    const before = cpuTimes();
    await new Promise((r) => setTimeout(r, ms));
    const after = cpuTimes();
    const total = after.total - before.total;
    return total > 0 ? (after.idle - before.idle) / total : 1;
  } catch {
    return 1;
  }
}

/**
 * Waits (up to `maxMs`) until the machine is at least `minIdle` idle, measured over 2 s; returns the
 * last idle share seen. For shared machines: results taken while others run are not comparable.
 */
export async function waitForIdle(minIdle: number, maxMs = 300_000): Promise<number> {
  const deadline = Date.now() + maxMs;
  let idle = await cpuIdleFraction();
  let warned = false;
  while (idle < minIdle && Date.now() < deadline) {
    if (!warned)
      benchLog(
        `machine only ${Math.round(idle * 100)} % idle; waiting for ${Math.round(minIdle * 100)} % (at most ${maxMs / 1000} s)`,
      );
    warned = true;
    idle = await cpuIdleFraction(5000);
  }
  if (idle < minIdle) benchLog(`still only ${Math.round(idle * 100)} % idle; running anyway`);
  return idle;
}

/** One-minute load average: above the core count, something else competes for the CPU. */
export const loadAverage = () => loadavg()[0]!;

export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** 12345.6 -> "12,346". */
export const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

/** A plain-text (and Markdown) table. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [
    line(header),
    `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`,
    ...rows.map(line),
  ].join('\n');
}

export interface MachineInfo {
  date: string;
  cpu: string;
  cores: number;
  ramGiB: number;
  node: string;
  java: string;
  neo4j: string;
}

/** `java -version` prints to stderr. The JDK on PATH is the one the local Neo4j runs on. */
function javaVersion(): string {
  const result = spawnSync(
    process.env.JAVA_HOME ? join(process.env.JAVA_HOME, 'bin', 'java') : 'java',
    ['-version'],
    { encoding: 'utf8' },
  );
  return `${result.stderr ?? ''}${result.stdout ?? ''}`.split('\n')[0]?.trim() || 'unknown';
}

/** The Neo4j version the local launcher embeds (from its kernel jar); external servers are not asked. */
function launcherNeo4jVersion(): string {
  try {
    const jar = readdirSync(join(LAUNCHER_DIR, 'target', 'lib')).find((f) =>
      /^neo4j-kernel-\d/.test(f),
    );
    const version = jar?.match(/^neo4j-kernel-(.+)\.jar$/)?.[1];
    return version ? `${version} Community (embedded, neo4j-launcher)` : 'unknown';
  } catch {
    return 'unknown';
  }
}

export function machineInfo(services?: Pick<BenchServices, 'external'>): MachineInfo {
  const cpuList = cpus();
  return {
    date: new Date().toISOString(),
    cpu: cpuList[0]?.model.trim() ?? 'unknown',
    cores: cpuList.length,
    ramGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    java: javaVersion(),
    neo4j: services?.external ? 'external (NEO4J_URI)' : launcherNeo4jVersion(),
  };
}

export function describeMachine(info: MachineInfo): string {
  return [
    `date:   ${info.date}`,
    `cpu:    ${info.cpu}, ${info.cores} cores`,
    `ram:    ${info.ramGiB} GiB`,
    `node:   ${info.node}`,
    `java:   ${info.java}`,
    `neo4j:  ${info.neo4j}`,
  ].join('\n');
}

/**
 * Parses `--name value` flags. Integers are checked, unknown flags fail with the list of known ones,
 * and `--help` prints `usage`.
 */
export function benchFlags<const T extends Record<string, { default: string; help: string }>>(
  usage: string,
  spec: T,
  argv: readonly string[] = process.argv.slice(2),
): { [K in keyof T]: string } {
  const options = Object.fromEntries(
    Object.keys(spec).map((k) => [k, { type: 'string' as const }]),
  );
  const help = () =>
    [
      usage,
      '',
      ...Object.entries(spec).map(
        ([k, v]) => `  --${k.padEnd(14)} ${v.help} (default: ${v.default || 'none'})`,
      ),
    ].join('\n');
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${help()}\n`);
    process.exit(0);
  }
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options, strict: true, allowPositionals: false })
      .values as Record<string, string | undefined>;
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n\n${help()}\n`);
    process.exit(2);
  }
  return Object.fromEntries(Object.entries(spec).map(([k, v]) => [k, parsed[k] ?? v.default])) as {
    [K in keyof T]: string;
  };
}

export function positiveInt(value: string, name: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new Error(`--${name} must be a positive integer, got ${JSON.stringify(value)}`);
  return n;
}

/** Writes a benchmark's results as JSON under bench/.results/ (git-ignored); returns the path. */
export function saveResults(name: string, results: unknown): string {
  const dir = join(REPO_ROOT, 'bench', '.results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${name}-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  return file;
}
