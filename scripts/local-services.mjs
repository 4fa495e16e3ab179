#!/usr/bin/env node
/**
 * Local Neo4j + Redis for development and tests. Node built-ins only: this runs before `npm install`.
 *
 * CLI (package.json: services:start / services:stop / services:status):
 *   node scripts/local-services.mjs start    start both (or reuse ours), leave them running, exit
 *   node scripts/local-services.mjs stop     stop what the pid files in DATA_DIR/run point to
 *   node scripts/local-services.mjs status   per service: running/stopped, pid, port, answers?
 *                                            (exit 0 when every service is up, 3 otherwise)
 *   node scripts/local-services.mjs build    build neo4j-launcher/ if it is out of date
 *
 * Environment (read when a function is called, so callers may set process.env first):
 *   DATA_DIR         default <repo>/.data (relative paths are resolved against the repo root)
 *   NEO4J_BOLT_PORT  default 7687          REDIS_PORT       default 6379
 *   NEO4J_HEAP       default 2g (-Xms/-Xmx) NEO4J_PAGECACHE default 2g
 *   NEO4J_URI        when set, Neo4j is not started ("using NEO4J_URI"); same for REDIS_URL/Redis.
 *   MVN, JAVA_HOME   Maven command / JDK to use (default: mvn and java from PATH)
 *
 * API (all paths may be relative to the repo root; `log` defaults to console.error with "[services]"):
 *
 *   ensureRedis({ dataDir?, port?, log?, startTimeoutMs? = 30 s, signal? })
 *     -> { url, started, pid?, external?, stop(): Promise<void> }
 *   ensureNeo4j({ dataDir?, boltPort?, heap?, pageCache?, log?, detached? = false, ignoreEnv? = false,
 *                 startTimeoutMs? = 120 s, signal? })
 *     -> { uri, started, pid?, external?, stop(): Promise<void> }
 *   startLocalServices({ dataDir?, neo4jBoltPort?, redisPort?, heap?, pageCache?, detached?, log?,
 *                        startTimeoutMs?, signal?, supervise? = false, superviseLog? = log })
 *     -> { neo4jUri, redisUrl, neo4j, redis, stop(): Promise<void> }   (both start in parallel;
 *        if one fails, the other is stopped again and the error is thrown). With `supervise`, a
 *        service this call started (not a reused or external one) is restarted when it dies, with
 *        back-off, each exit and restart logged (superviseService); stop() stops what runs now.
 *   superviseService(name, service, restart(signal), { log? }) -> { pid, stop() }
 *   A started service also has `exited`: a promise of { code, signal } once its process ends.
 *   `signal` (AbortSignal) aborts a start in progress: what was spawned is stopped, and the
 *   promise rejects with an error named 'AbortError'.
 *   stopLocalServices({ dataDir?, log? }) -> { neo4j: Outcome, redis: Outcome }
 *     Outcome: 'stopped' | 'not running' | 'stale pid file removed'
 *   statusLocalServices({ dataDir? }) -> { dataDir, neo4j: Status, redis: Status }
 *     Status: { service, state: 'running'|'stopped'|'external', pid, port, answers, url, logFile }
 *   freePort() -> Promise<number>    an OS-assigned spare port on 127.0.0.1
 *   buildLauncher({ log?, force? })  mvn package when target/ is missing or older than pom/src
 *
 * Process model:
 *   - Every service runs in its own process group (spawn detached), so a terminal Ctrl-C reaches
 *     only the Node process in the foreground (npm start, vitest), which then stops the services
 *     itself, after the API has shut down. Output goes straight to log files (not through our
 *     pipes), so the services do not depend on this Node process staying alive.
 *   - Every started service gets a pid file DATA_DIR/run/<service>.pid (JSON: pid, port, ...).
 *     stop() and stopLocalServices() send SIGTERM, wait for exit (60 s, then SIGKILL) and remove it.
 *   - `started: false` means "not ours to stop": an external URL, or an instance from the same
 *     DATA_DIR that was already running (e.g. `npm run services:start` before `npm start`); its
 *     stop() does nothing. A port that answers but isn't ours is an error, never silently used.
 *   - detached: true  -> the services outlive this process (services:start).
 *     detached: false -> (default) Neo4j is tied to this process: it gets a stdin pipe and shuts
 *     itself down cleanly when that pipe closes, so a test run that crashes or is SIGKILLed cannot
 *     leak a multi-gigabyte JVM. (Redis is small; a leftover one is found via its pid file.)
 *
 * Typical uses:
 *   // vitest globalSetup: its own instance on spare ports in a temp DATA_DIR
 *   const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'idgraph-test-'));
 *   const svc = await startLocalServices({ dataDir, neo4jBoltPort: await freePort(),
 *     redisPort: await freePort(), heap: '1g', pageCache: '256m' });
 *   ... teardown: await svc.stop(); await fs.rm(dataDir, { recursive: true, force: true });
 *   // npm start: const svc = await startLocalServices({}); ...; on SIGINT/SIGTERM: close the API,
 *   // then await svc.stop()
 */
import { spawn, spawnSync } from 'node:child_process';
import { Buffer } from 'node:buffer';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const LAUNCHER_DIR = path.join(REPO_ROOT, 'neo4j-launcher');
const LAUNCHER_JAR = path.join(LAUNCHER_DIR, 'target', 'neo4j-launcher.jar');
const LAUNCHER_LIB = path.join(LAUNCHER_DIR, 'target', 'lib');
const BUILD_STAMP = path.join(LAUNCHER_DIR, 'target', '.idgraph-build-stamp');
const LAUNCHER_MAIN = 'dev.idgraph.launcher.Neo4jLauncher';

// Always the literal IPv4 loopback: "localhost" may resolve to ::1 first (Node >= 17 keeps the
// resolver's order) and miss a listener bound to 127.0.0.1.
const HOST = '127.0.0.1';
const STOP_TIMEOUT_MS = 60_000;

/**
 * JVM flags for the embedded Neo4j. Same module openings and tuning as Neo4j 5.26's own server
 * launcher (its default neo4j.conf `server.jvm.additional` lines + -Dfile.encoding from the
 * bootloader); there are no --add-exports. Left out on purpose: -XX:+AlwaysPreTouch (touches the
 * whole heap at start: slower start and full RSS at once, wrong for dev/test instances).
 */
export const NEO4J_JVM_FLAGS = [
  '-XX:+UseG1GC',
  '-XX:-OmitStackTraceInFastThrow',
  '-XX:+UnlockExperimentalVMOptions',
  '-XX:+TrustFinalNonStaticFields',
  '-XX:+DisableExplicitGC',
  '-XX:+ExitOnOutOfMemoryError', // a JVM after OOM is in an unknown state: die loudly instead
  '-Djdk.nio.maxCachedBufferSize=1024',
  '-Dio.netty.tryReflectionSetAccessible=true',
  '-Djdk.tls.ephemeralDHKeySize=2048',
  '-Djdk.tls.rejectClientInitiatedRenegotiation=true',
  '-XX:FlightRecorderOptions=stackdepth=256',
  '-XX:+UnlockDiagnosticVMOptions',
  '-XX:+DebugNonSafepoints',
  '--add-opens=java.base/java.nio=ALL-UNNAMED',
  '--add-opens=java.base/java.io=ALL-UNNAMED',
  '--add-opens=java.base/sun.nio.ch=ALL-UNNAMED',
  '--enable-native-access=ALL-UNNAMED',
  '-Dlog4j2.disable.jmx=true',
  '-Dfile.encoding=UTF-8',
];

const defaultLog = (msg) => console.error(`[services] ${msg}`);

// ---------------------------------------------------------------------------------------------
// Configuration helpers

function envOr(name, def) {
  const v = process.env[name];
  return v === undefined || v.trim() === '' ? def : v.trim();
}

function resolveDataDir(dataDir) {
  return path.resolve(REPO_ROOT, dataDir ?? envOr('DATA_DIR', '.data'));
}

function parsePort(value, name) {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new Error(`${name} must be a TCP port number (1-65535), got ${JSON.stringify(value)}`);
  }
  return port;
}

function parseSize(value, name) {
  const v = String(value).trim();
  if (!/^\d+[kmgt]?$/i.test(v)) {
    throw new Error(`${name} must be a size like 512m or 2g, got ${JSON.stringify(value)}`);
  }
  return v.toLowerCase();
}

/** Hides credentials in a URL for logging ("never print passwords"). */
export function redactUrl(url) {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '<unparseable URL>';
  }
}

// ---------------------------------------------------------------------------------------------
// Ports and probes

/** An OS-assigned spare TCP port on 127.0.0.1 (free at the time of the call). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen({ host: HOST, port: 0, exclusive: true }, () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** Connects, optionally writes `send`, and resolves with what arrived first (or null). */
function probe(port, { send, timeoutMs = 1000, expectBytes = 1 } = {}) {
  return new Promise((resolve) => {
    const sock = net.connect({ host: HOST, port });
    let buf = Buffer.alloc(0);
    let done = false;
    const finish = (result) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      sock.destroy();
      resolve(result);
    };
    const timer = setTimeout(() => finish(send ? null : false), timeoutMs);
    sock.on('connect', () => {
      if (send) sock.write(send);
      else finish(true);
    });
    sock.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      if (buf.length >= expectBytes) finish(buf);
    });
    sock.on('error', () => finish(send ? null : false));
    sock.on('close', () => finish(send ? (buf.length ? buf : null) : false));
  });
}

/** True when something accepts TCP connections on 127.0.0.1:port. */
export function isPortOpen(port, timeoutMs = 1000) {
  return probe(port, { timeoutMs });
}

/** True when a Redis answers PING on 127.0.0.1:port (raw RESP inline command). */
export async function redisPing(port, timeoutMs = 1000) {
  const reply = await probe(port, { send: 'PING\r\n', timeoutMs, expectBytes: 7 });
  return reply !== null && reply.toString('latin1').startsWith('+PONG');
}

/** True when a Bolt server on 127.0.0.1:port completes the version handshake. */
export async function boltHandshake(port, timeoutMs = 2000) {
  // prettier-ignore
  const hello = Buffer.from([
    0x60, 0x60, 0xb0, 0x17, // Bolt magic preamble
    0x00, 0x08, 0x08, 0x05, // 5.8 down to 5.0
    0x00, 0x00, 0x04, 0x04, // 4.4
    0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00,
  ]);
  const reply = await probe(port, { send: hello, timeoutMs, expectBytes: 4 });
  return reply !== null && reply.length >= 4 && reply.readUInt32BE(0) !== 0;
}

async function waitUntil(check, { timeoutMs, intervalMs = 100, signal }) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (signal?.aborted) return false;
    if (await check()) return true;
    if (Date.now() >= deadline) return false;
    await sleep(intervalMs);
  }
}

function abortError(service) {
  const err = new Error(`${service}: start aborted`);
  err.name = 'AbortError';
  return err;
}

// ---------------------------------------------------------------------------------------------
// Processes and pid files

function pidFilePath(dataDir, service) {
  return path.join(dataDir, 'run', `${service}.pid`);
}

function readPidFile(dataDir, service) {
  try {
    const text = fs.readFileSync(pidFilePath(dataDir, service), 'utf8').trim();
    if (/^\d+$/.test(text)) return { pid: Number(text) };
    const info = JSON.parse(text);
    return Number.isInteger(info.pid) && info.pid > 0 ? info : null;
  } catch {
    return null;
  }
}

function writePidFile(dataDir, service, info) {
  const file = pidFilePath(dataDir, service);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, `${JSON.stringify(info, null, 2)}\n`);
  fs.renameSync(tmp, file);
}

/** Removes the pid file, but only if it still names `pid` (another start may have replaced it). */
function removePidFile(dataDir, service, pid) {
  const info = readPidFile(dataDir, service);
  if (info && pid !== undefined && info.pid !== pid) return;
  fs.rmSync(pidFilePath(dataDir, service), { force: true });
}

function isAlive(pid) {
  try {
    process.kill(pid, 0);
  } catch (e) {
    if (e.code !== 'EPERM') return false;
  }
  try {
    // A zombie (exited, not yet reaped by its parent) still answers kill(0).
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return true; // no /proc (not Linux) or a race: trust kill(0)
  }
}

const MARKERS = { neo4j: LAUNCHER_MAIN, redis: 'redis-server' };

/** Is `pid` alive and really our service (guards against pid reuse after a reboot/crash)? */
function isOurProcess(pid, service) {
  if (!isAlive(pid)) return false;
  try {
    const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return cmdline.includes(MARKERS[service]);
  } catch {
    return true; // cannot check without /proc: trust the pid file
  }
}

function signalGroup(pid, signal) {
  // Each service leads its own process group (spawn detached => setsid), so -pid reaches it and
  // anything it may have forked. Fall back to the single pid if the group is gone.
  try {
    process.kill(-pid, signal);
    return;
  } catch {
    /* fall through */
  }
  try {
    process.kill(pid, signal);
  } catch {
    /* already gone */
  }
}

/** SIGTERM, wait up to `timeoutMs`, then SIGKILL. Resolves once the process is gone. */
async function terminate(pid, { name, log, timeoutMs = STOP_TIMEOUT_MS }) {
  if (!isAlive(pid)) return;
  signalGroup(pid, 'SIGTERM');
  if (await waitUntil(() => !isAlive(pid), { timeoutMs, intervalMs: 100 })) return;
  log(
    `${name}: pid ${pid} did not exit within ${timeoutMs / 1000} s after SIGTERM; sending SIGKILL`,
  );
  signalGroup(pid, 'SIGKILL');
  if (!(await waitUntil(() => !isAlive(pid), { timeoutMs: 10_000 }))) {
    throw new Error(`${name}: pid ${pid} survived SIGKILL`);
  }
}

function tailFile(file, maxLines = 40, maxBytes = 16_384) {
  try {
    const fd = fs.openSync(file, 'r');
    try {
      const size = fs.fstatSync(fd).size;
      const len = Math.min(size, maxBytes);
      const buf = Buffer.alloc(len);
      fs.readSync(fd, buf, 0, len, size - len);
      const lines = buf.toString('utf8').split('\n');
      if (len < size) lines.shift(); // partial first line
      return lines.slice(-maxLines).join('\n').trimEnd();
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return '';
  }
}

function which(cmd) {
  if (cmd.includes('/')) return fs.existsSync(cmd) ? cmd : null;
  const dirs = (process.env.PATH ?? '').split(path.delimiter).filter(Boolean);
  for (const dir of [...dirs, '/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin']) {
    const p = path.join(dir, cmd);
    try {
      fs.accessSync(p, fs.constants.X_OK);
      return p;
    } catch {
      /* next */
    }
  }
  return null;
}

/**
 * Spawns `cmd` in its own process group with stdout+stderr appended to `logFile`.
 * Returns { child, exited } where `exited` is filled in when the process ends.
 */
function spawnService(cmd, args, { logFile, env, stdinPipe = false }) {
  fs.mkdirSync(path.dirname(logFile), { recursive: true });
  const fd = fs.openSync(logFile, 'a');
  let child;
  try {
    child = spawn(cmd, args, {
      cwd: REPO_ROOT,
      env,
      detached: true,
      stdio: [stdinPipe ? 'pipe' : 'ignore', fd, fd],
    });
  } finally {
    fs.closeSync(fd); // the child has its own copy
  }
  const state = { exited: null, error: null };
  state.ended = new Promise((resolve) =>
    child.on('exit', (code, signal) => resolve((state.exited = { code, signal }))),
  );
  child.on('error', (err) => (state.error = err));
  if (child.stdin) {
    child.stdin.on('error', () => {}); // EPIPE once the child is gone
    child.stdin.unref?.(); // the pipe must not keep this Node process alive
  }
  child.unref();
  return { child, state };
}

/**
 * Common "is it already running?" logic. Returns { reuse: info } for our live instance on the
 * same port, {} when we should start a new one; throws for conflicts.
 */
async function checkExisting(opts) {
  const { service, dataDir, port, answers, log, label, hint, timeoutMs, signal } = opts;
  const info = readPidFile(dataDir, service);
  if (info && isOurProcess(info.pid, service)) {
    if (info.port !== undefined && info.port !== port) {
      throw new Error(
        `${label} from DATA_DIR ${dataDir} is already running on port ${info.port} (pid ${info.pid}), ` +
          `not ${port}. Stop it first: npm run services:stop`,
      );
    }
    // Ours; possibly still starting (another process launched it a moment ago): wait for it.
    const settled = await waitUntil(async () => (await answers(port)) || !isAlive(info.pid), {
      timeoutMs,
      signal,
    });
    if (signal?.aborted) throw abortError(service);
    if (settled) {
      if (isAlive(info.pid)) {
        log(`${service}: reusing running instance (pid ${info.pid}, port ${port})`);
        return { reuse: info };
      }
    } else {
      throw new Error(`${label} (pid ${info.pid}) is running but port ${port} does not answer`);
    }
  }
  if (info) {
    log(`${service}: removing stale pid file (pid ${info.pid} is gone)`);
    removePidFile(dataDir, service, info.pid);
  }
  if (await isPortOpen(port)) {
    throw new Error(
      `${label}: port ${port} on ${HOST} is already in use by a process not started from ` +
        `DATA_DIR ${dataDir}. ${hint}`,
    );
  }
  return {};
}

// ---------------------------------------------------------------------------------------------
// Redis

function installRedis(log) {
  const hint = 'Install it with: sudo apt-get install -y redis-server (or set REDIS_URL)';
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) {
    throw new Error(`redis-server not found. ${hint}`);
  }
  if (!which('apt-get')) {
    throw new Error(`redis-server not found and apt-get is not available. ${hint}`);
  }
  log('redis: redis-server not found; installing it with apt-get (Debian package redis-server)');
  // Debian's package enables and tries to start a system-wide redis on 6379 (invoke-rc.d /
  // systemd). We don't want that instance: we run our own, with our own data dir and port. A
  // policy-rc.d that exits 101 is Debian's documented way to stop maintainer scripts starting
  // services; add one only for the duration of the install if none exists (containers usually
  // already have one).
  const policy = '/usr/sbin/policy-rc.d';
  const addedPolicy = !fs.existsSync(policy);
  if (addedPolicy) {
    fs.writeFileSync(policy, '#!/bin/sh\n# temporary, added by idgraph\nexit 101\n', {
      mode: 0o755,
    });
  }
  try {
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    for (const args of [['update'], ['install', '-y', 'redis-server']]) {
      const r = spawnSync('apt-get', args, { stdio: ['ignore', 2, 2], env });
      if (r.status !== 0) {
        throw new Error(`apt-get ${args.join(' ')} failed (exit ${r.status}). ${hint}`);
      }
    }
  } finally {
    if (addedPolicy) fs.rmSync(policy, { force: true });
  }
  const bin = which('redis-server');
  if (!bin) throw new Error(`redis-server still not found after apt-get install. ${hint}`);
  return bin;
}

/**
 * Starts Redis on 127.0.0.1:port with AOF persistence in DATA_DIR/redis, or reuses ours.
 * @returns {Promise<{url: string, started: boolean, pid?: number, external?: boolean, stop: () => Promise<void>}>}
 */
export async function ensureRedis({
  dataDir,
  port,
  log = defaultLog,
  startTimeoutMs = 30_000,
  signal,
  // A private instance even when REDIS_URL is set (tests that stop their Redis on purpose).
  ignoreEnv = false,
} = {}) {
  const external = ignoreEnv ? undefined : process.env.REDIS_URL?.trim();
  if (external) {
    log(`redis: using REDIS_URL (${redactUrl(external)}); not starting one`);
    return { url: external, started: false, external: true, stop: async () => {} };
  }
  dataDir = resolveDataDir(dataDir);
  port = parsePort(port ?? envOr('REDIS_PORT', '6379'), 'REDIS_PORT');
  const url = `redis://${HOST}:${port}`;
  const redisDir = path.join(dataDir, 'redis');
  const logFile = path.join(redisDir, 'redis.log');

  const existing = await checkExisting({
    service: 'redis',
    dataDir,
    port,
    answers: redisPing,
    log,
    label: 'Redis',
    timeoutMs: startTimeoutMs,
    signal,
    hint:
      'Stop that process, pick another port (REDIS_PORT) or point REDIS_URL at it. If it is the ' +
      "Debian package's system redis: sudo service redis-server stop " +
      '(systemd: sudo systemctl disable --now redis-server).',
  });
  if (existing.reuse) return { url, started: false, pid: existing.reuse.pid, stop: async () => {} };

  const bin = which('redis-server') ?? installRedis(log);
  fs.mkdirSync(redisDir, { recursive: true });
  // prettier-ignore
  const args = [
    '--bind', HOST,
    '--port', String(port),
    '--protected-mode', 'yes',
    '--dir', redisDir,
    '--appendonly', 'yes', // AOF is the persistence (BullMQ jobs must survive a restart)
    '--appendfsync', 'everysec',
    '--save', '', // no separate RDB snapshots; the AOF base file already uses the RDB format
    '--maxmemory-policy', 'noeviction', // BullMQ requires noeviction
    '--daemonize', 'no', // we keep the pid; daemonizing would fork it away
    '--logfile', logFile,
  ];
  log(`redis: starting on ${url} (data ${redisDir})`);
  const t0 = Date.now();
  const { child, state } = spawnService(bin, args, { logFile, env: process.env });
  if (!child.pid) {
    throw new Error(`redis: could not spawn ${bin}: ${state.error?.message ?? 'unknown error'}`);
  }
  const pid = child.pid;
  writePidFile(dataDir, 'redis', {
    service: 'redis',
    pid,
    port,
    url,
    dataDir,
    logFile,
    startedAt: new Date().toISOString(),
  });

  const ready = await waitUntil(async () => state.exited !== null || (await redisPing(port)), {
    timeoutMs: startTimeoutMs,
    signal,
  });
  if (signal?.aborted) {
    await terminate(pid, { name: 'redis', log, timeoutMs: 5000 }).catch(() => {});
    removePidFile(dataDir, 'redis', pid);
    throw abortError('redis');
  }
  if (!ready || state.exited !== null) {
    const why = state.exited
      ? `exited early (${state.exited.signal ?? `code ${state.exited.code}`})`
      : `did not answer PING within ${startTimeoutMs / 1000} s`;
    await terminate(pid, { name: 'redis', log, timeoutMs: 5000 }).catch(() => {});
    removePidFile(dataDir, 'redis', pid);
    const tail = tailFile(logFile, 20);
    if (tail) log(`redis: last lines of ${logFile}:\n${tail}`);
    throw new Error(`redis ${why}; see ${logFile}`);
  }
  log(`redis: ready on ${url} in ${((Date.now() - t0) / 1000).toFixed(1)} s (pid ${pid})`);
  return {
    url,
    started: true,
    pid,
    exited: state.ended,
    stop: async () => {
      await terminate(pid, { name: 'redis', log });
      removePidFile(dataDir, 'redis', pid);
      log('redis: stopped');
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Neo4j

function newestMtime(p) {
  let st;
  try {
    st = fs.statSync(p);
  } catch {
    return 0;
  }
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = st.mtimeMs; // catches deleted files too
  for (const entry of fs.readdirSync(p)) {
    newest = Math.max(newest, newestMtime(path.join(p, entry)));
  }
  return newest;
}

function launcherUpToDate() {
  let stamp;
  try {
    stamp = fs.statSync(BUILD_STAMP).mtimeMs;
    if (!fs.existsSync(LAUNCHER_JAR) || fs.readdirSync(LAUNCHER_LIB).length === 0) return false;
  } catch {
    return false;
  }
  const sources = Math.max(
    newestMtime(path.join(LAUNCHER_DIR, 'pom.xml')),
    newestMtime(path.join(LAUNCHER_DIR, 'src')),
  );
  return stamp >= sources;
}

/**
 * Builds neo4j-launcher/ (mvn package) when its output is missing or older than pom.xml/src.
 * A lock directory keeps concurrent callers (npm start + a test run) from building at once.
 */
export async function buildLauncher({ log = defaultLog, force = false } = {}) {
  if (!force && launcherUpToDate()) return;
  const targetDir = path.join(LAUNCHER_DIR, 'target');
  const lock = path.join(targetDir, '.idgraph-build.lock');
  fs.mkdirSync(targetDir, { recursive: true });
  const deadline = Date.now() + 10 * 60_000;
  for (;;) {
    try {
      fs.mkdirSync(lock);
      break;
    } catch (e) {
      if (e.code !== 'EEXIST') throw e;
      const age =
        Date.now() - (fs.statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
      if (age > 10 * 60_000) {
        fs.rmSync(lock, { recursive: true, force: true }); // stale (a killed build)
      } else if (Date.now() > deadline) {
        throw new Error(`timed out waiting for build lock ${lock}`);
      } else {
        await sleep(500);
      }
    }
  }
  try {
    if (!force && launcherUpToDate()) return; // someone else built it while we waited
    const mvn = process.env.MVN?.trim() || 'mvn';
    if (!which(mvn)) {
      throw new Error(
        'Maven (mvn) not found; it is needed once to build neo4j-launcher/. ' +
          'Install JDK 17 + Maven: sudo apt-get install -y openjdk-17-jdk-headless maven ' +
          '(or set NEO4J_URI to use an existing Neo4j)',
      );
    }
    log(
      'neo4j: building neo4j-launcher (mvn package; the very first build also downloads Neo4j, ~170 MB, into ~/.m2)',
    );
    const t0 = Date.now();
    const args = ['-q', '-B', '-f', path.join(LAUNCHER_DIR, 'pom.xml'), 'package', '-DskipTests'];
    await new Promise((resolve, reject) => {
      const child = spawn(mvn, args, { cwd: LAUNCHER_DIR, stdio: ['ignore', 'pipe', 'pipe'] });
      const chunks = [];
      child.stdout.on('data', (d) => chunks.push(d));
      child.stderr.on('data', (d) => chunks.push(d));
      child.on('error', reject);
      child.on('close', (code) => {
        if (code === 0) return resolve();
        const text = Buffer.concat(chunks).toString('utf8').split('\n').slice(-60).join('\n');
        reject(new Error(`mvn package failed (exit ${code}):\n${text}`));
      });
    });
    fs.writeFileSync(BUILD_STAMP, `${new Date().toISOString()}\n`);
    log(`neo4j: launcher built in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  } finally {
    fs.rmSync(lock, { recursive: true, force: true });
  }
}

function javaBinary() {
  const home = process.env.JAVA_HOME?.trim();
  const candidate = home ? path.join(home, 'bin', 'java') : 'java';
  const bin = which(candidate);
  if (!bin) {
    throw new Error(
      `Java not found (${home ? `JAVA_HOME=${home}` : 'java on PATH'}); Neo4j needs JDK 17+: ` +
        'sudo apt-get install -y openjdk-17-jdk-headless (or set NEO4J_URI)',
    );
  }
  return bin;
}

/** Reads what was appended to `file` since `state.offset`. */
function readNew(file, state) {
  try {
    const fd = fs.openSync(file, 'r');
    try {
      const size = fs.fstatSync(fd).size;
      if (size <= state.offset) return '';
      const buf = Buffer.alloc(size - state.offset);
      fs.readSync(fd, buf, 0, buf.length, state.offset);
      state.offset = size;
      return buf.toString('utf8');
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return '';
  }
}

/**
 * Starts the embedded Neo4j (neo4j-launcher) with Bolt on 127.0.0.1:boltPort and its store in
 * DATA_DIR/neo4j, or reuses ours. Builds the launcher first if needed.
 * @returns {Promise<{uri: string, started: boolean, pid?: number, external?: boolean, stop: () => Promise<void>}>}
 */
export async function ensureNeo4j({
  dataDir,
  boltPort,
  heap,
  pageCache,
  log = defaultLog,
  detached = false,
  startTimeoutMs = 120_000,
  signal,
  // A private instance even when NEO4J_URI is set (`idgraph replay` / `diff` on a data dir).
  ignoreEnv = false,
} = {}) {
  const external = ignoreEnv ? undefined : process.env.NEO4J_URI?.trim();
  if (external) {
    log(`neo4j: using NEO4J_URI (${redactUrl(external)}); not starting one`);
    return { uri: external, started: false, external: true, stop: async () => {} };
  }
  dataDir = resolveDataDir(dataDir);
  boltPort = parsePort(boltPort ?? envOr('NEO4J_BOLT_PORT', '7687'), 'NEO4J_BOLT_PORT');
  heap = parseSize(heap ?? envOr('NEO4J_HEAP', '2g'), 'NEO4J_HEAP');
  pageCache = parseSize(pageCache ?? envOr('NEO4J_PAGECACHE', '2g'), 'NEO4J_PAGECACHE');
  const uri = `bolt://${HOST}:${boltPort}`;
  const home = path.join(dataDir, 'neo4j');
  const logFile = path.join(home, 'launcher.log');
  const debugLog = path.join(home, 'logs', 'debug.log');

  const existing = await checkExisting({
    service: 'neo4j',
    dataDir,
    port: boltPort,
    answers: boltHandshake,
    log,
    label: 'Neo4j',
    timeoutMs: startTimeoutMs,
    signal,
    hint: 'Stop that process, pick another port (NEO4J_BOLT_PORT) or point NEO4J_URI at it.',
  });
  if (existing.reuse) return { uri, started: false, pid: existing.reuse.pid, stop: async () => {} };

  await buildLauncher({ log });
  const java = javaBinary();
  fs.mkdirSync(home, { recursive: true });
  // Keep the previous run's output for post-mortems; start a fresh launcher.log.
  if (fs.existsSync(logFile)) fs.renameSync(logFile, `${logFile}.1`);

  const args = [
    ...NEO4J_JVM_FLAGS,
    `-Xms${heap}`,
    `-Xmx${heap}`,
    '-cp',
    [LAUNCHER_JAR, path.join(LAUNCHER_LIB, '*')].join(path.delimiter),
    LAUNCHER_MAIN,
  ];
  const env = {
    ...process.env,
    DATA_DIR: dataDir,
    NEO4J_BOLT_PORT: String(boltPort),
    NEO4J_PAGECACHE: pageCache,
  };
  if (detached) delete env.NEO4J_EXIT_ON_STDIN_EOF;
  else env.NEO4J_EXIT_ON_STDIN_EOF = '1';

  log(`neo4j: starting on ${uri} (heap ${heap}, page cache ${pageCache}, store ${home})`);
  const t0 = Date.now();
  const { child, state } = spawnService(java, args, { logFile, env, stdinPipe: !detached });
  if (!child.pid) {
    throw new Error(`neo4j: could not spawn ${java}: ${state.error?.message ?? 'unknown error'}`);
  }
  const pid = child.pid;
  writePidFile(dataDir, 'neo4j', {
    service: 'neo4j',
    pid,
    port: boltPort,
    uri,
    dataDir,
    logFile,
    debugLog,
    heap,
    pageCache,
    startedAt: new Date().toISOString(),
  });

  const readyLine = `idgraph-neo4j ready ${uri}`;
  const read = { offset: 0 };
  let output = '';
  const ready = await waitUntil(
    () => {
      output += readNew(logFile, read);
      return output.includes(readyLine) || state.exited !== null;
    },
    { timeoutMs: startTimeoutMs, intervalMs: 100, signal },
  );
  if (signal?.aborted) {
    await terminate(pid, { name: 'neo4j', log, timeoutMs: 15_000 }).catch(() => {});
    child.stdin?.destroy();
    removePidFile(dataDir, 'neo4j', pid);
    throw abortError('neo4j');
  }
  if (!ready || !output.includes(readyLine)) {
    const why = state.exited
      ? `exited during start-up (${state.exited.signal ?? `code ${state.exited.code}`})`
      : `was not ready within ${startTimeoutMs / 1000} s`;
    await terminate(pid, { name: 'neo4j', log, timeoutMs: 15_000 }).catch(() => {});
    removePidFile(dataDir, 'neo4j', pid);
    const out = tailFile(logFile, 30);
    if (out) log(`neo4j: last lines of ${logFile}:\n${out}`);
    const dbg = tailFile(debugLog, 30);
    if (dbg) log(`neo4j: last lines of ${debugLog}:\n${dbg}`);
    throw new Error(`neo4j ${why}; see ${debugLog} and ${logFile}`);
  }
  log(`neo4j: ready on ${uri} in ${((Date.now() - t0) / 1000).toFixed(1)} s (pid ${pid})`);
  return {
    uri,
    started: true,
    pid,
    exited: state.ended,
    stop: async () => {
      await terminate(pid, { name: 'neo4j', log });
      child.stdin?.destroy();
      removePidFile(dataDir, 'neo4j', pid);
      log('neo4j: stopped');
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Supervision

const RESTART_MIN_DELAY_MS = 1000;
const RESTART_MAX_DELAY_MS = 30_000;
/** A service that ran this long since its last start counts as healthy: back-off starts over. */
const RESTART_STABLE_MS = 60_000;

/**
 * Keeps a service this process started running: when its process exits other than through stop(),
 * it is started again after a back-off (1 s, doubling up to 30 s; back to 1 s once it has run a
 * minute), each exit and restart logged. `first` is the running service ({ pid, exited, stop });
 * `restart(signal)` starts it again (ensureRedis/ensureNeo4j with the same DATA_DIR and port).
 * stop() stops the process running now, or a restart under way.
 */
export function superviseService(name, first, restart, { log = defaultLog } = {}) {
  let current = first;
  let startedAt = Date.now();
  let attempt = 1;
  let stopping = false;
  let timer;
  let restarting;
  const abort = new AbortController();

  const watch = (service) => {
    service.exited?.then(({ code, signal }) => {
      if (stopping || service !== current) return;
      current = undefined;
      if (Date.now() - startedAt > RESTART_STABLE_MS) attempt = 1;
      scheduleRestart(signal ? `signal ${signal}` : `code ${code}`);
    });
  };
  const scheduleRestart = (why) => {
    attempt += 1;
    const delay = Math.min(RESTART_MAX_DELAY_MS, RESTART_MIN_DELAY_MS * 2 ** (attempt - 2));
    log(`${name} exited (${why}); restarting in ${delay / 1000} s (attempt ${attempt})`);
    timer = setTimeout(() => {
      restarting = restart(abort.signal).then(
        (service) => {
          restarting = undefined;
          if (stopping) return service.stop();
          current = service;
          startedAt = Date.now();
          log(`${name} restarted (pid ${service.pid})`);
          watch(service);
        },
        (error) => {
          restarting = undefined;
          if (stopping) return;
          scheduleRestart(`restart failed: ${error instanceof Error ? error.message : error}`);
        },
      );
    }, delay);
  };
  watch(first);
  return {
    get pid() {
      return current?.pid;
    },
    async stop() {
      stopping = true;
      clearTimeout(timer);
      abort.abort();
      await restarting?.catch(() => {});
      await current?.stop();
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Both services

/**
 * Starts (or reuses) Neo4j and Redis in parallel. If either fails, the other is stopped again
 * (if we started it) and the error is thrown.
 */
export async function startLocalServices({
  dataDir,
  neo4jBoltPort,
  redisPort,
  heap,
  pageCache,
  detached = false,
  log = defaultLog,
  startTimeoutMs,
  signal,
  // Restart a service this call started when it dies (npm start); reused/external ones are not ours.
  supervise = false,
  superviseLog = log,
} = {}) {
  dataDir = resolveDataDir(dataDir);
  const common = { dataDir, log, startTimeoutMs, signal };
  const neo4jOptions = { ...common, boltPort: neo4jBoltPort, heap, pageCache, detached };
  const redisOptions = { ...common, port: redisPort };
  const results = await Promise.allSettled([ensureNeo4j(neo4jOptions), ensureRedis(redisOptions)]);
  const failed = results.filter((r) => r.status === 'rejected');
  if (failed.length > 0) {
    await Promise.allSettled(
      results.filter((r) => r.status === 'fulfilled').map((r) => r.value.stop()),
    );
    throw failed[0].reason;
  }
  let [neo4j, redis] = results.map((r) => r.value);
  if (supervise) {
    // The supervisor stands in for the service: its stop() stops whichever process runs now.
    // An instance found running when restarting (someone ran `npm run services:start` meanwhile)
    // took the place of ours: stopping stops it too, though it is not watched.
    const restarter = (name, ensure, options) => async (restartSignal) => {
      const service = await ensure({ ...options, signal: restartSignal });
      if (service.started || service.pid === undefined) return service;
      return { ...service, stop: () => stopByPid(dataDir, name, service.pid, log) };
    };
    const supervised = (name, service, ensure, options) =>
      service.started
        ? Object.assign(
            superviseService(name, service, restarter(name, ensure, options), {
              log: superviseLog,
            }),
            { uri: service.uri, url: service.url, started: true },
          )
        : service;
    neo4j = supervised('neo4j', neo4j, ensureNeo4j, neo4jOptions);
    redis = supervised('redis', redis, ensureRedis, redisOptions);
  }
  return {
    neo4jUri: neo4j.uri,
    redisUrl: redis.url,
    neo4j,
    redis,
    // Only stops what this call started; reused/external services are left alone.
    stop: async () => {
      const res = await Promise.allSettled([neo4j.stop(), redis.stop()]);
      const err = res.find((r) => r.status === 'rejected');
      if (err) throw err.reason;
    },
  };
}

/** Stops one service's process and removes its pid file. */
async function stopByPid(dataDir, service, pid, log) {
  await terminate(pid, { name: service, log });
  removePidFile(dataDir, service, pid);
  log(`${service}: stopped`);
}

/** Stops the services recorded in DATA_DIR/run/*.pid (whoever started them). */
export async function stopLocalServices({ dataDir, log = defaultLog } = {}) {
  dataDir = resolveDataDir(dataDir);
  const outcome = {};
  await Promise.all(
    ['neo4j', 'redis'].map(async (service) => {
      const info = readPidFile(dataDir, service);
      if (!info) {
        outcome[service] = 'not running';
        return;
      }
      if (!isOurProcess(info.pid, service)) {
        removePidFile(dataDir, service, info.pid);
        outcome[service] = 'stale pid file removed';
        return;
      }
      log(`${service}: stopping pid ${info.pid}${info.port ? ` (port ${info.port})` : ''}`);
      await terminate(info.pid, { name: service, log });
      removePidFile(dataDir, service, info.pid);
      outcome[service] = 'stopped';
    }),
  );
  return outcome;
}

/** Per service: state, pid, port and whether the port answers (PING / Bolt handshake). */
export async function statusLocalServices({ dataDir } = {}) {
  dataDir = resolveDataDir(dataDir);
  const one = async (service, envUrl, defPort, answers, scheme) => {
    const external = process.env[envUrl]?.trim();
    if (external) {
      return {
        service,
        state: 'external',
        url: redactUrl(external),
        pid: null,
        port: null,
        answers: null,
      };
    }
    const info = readPidFile(dataDir, service);
    const running = info !== null && isOurProcess(info.pid, service);
    const port =
      running && info.port ? info.port : parsePort(envOr(defPort[0], defPort[1]), defPort[0]);
    return {
      service,
      state: running ? 'running' : 'stopped',
      pid: running ? info.pid : null,
      port,
      url: `${scheme}://${HOST}:${port}`,
      answers: await answers(port),
      stalePidFile: info !== null && !running,
      logFile: info?.logFile ?? null,
    };
  };
  const [neo4j, redis] = await Promise.all([
    one('neo4j', 'NEO4J_URI', ['NEO4J_BOLT_PORT', '7687'], boltHandshake, 'bolt'),
    one('redis', 'REDIS_URL', ['REDIS_PORT', '6379'], redisPing, 'redis'),
  ]);
  return { dataDir, neo4j, redis };
}

// ---------------------------------------------------------------------------------------------
// CLI

function formatStatus(s) {
  const parts = [s.service.padEnd(6), s.state.padEnd(8)];
  if (s.state === 'external') return [...parts, s.url].join('  ');
  if (s.pid) parts.push(`pid ${s.pid}`);
  parts.push(s.url, `answers: ${s.answers ? 'yes' : 'no'}`);
  if (s.state !== 'running' && s.answers) {
    parts.push('(port used by a process not started from this DATA_DIR)');
  }
  if (s.stalePidFile) parts.push('(stale pid file)');
  return parts.join('  ');
}

async function main(argv) {
  const cmd = argv[0];
  switch (cmd) {
    case 'start': {
      // The services live in their own process groups, so a Ctrl-C during a slow start would kill
      // only us and leave them half-started: abort the start instead (it stops what it started).
      const ac = new globalThis.AbortController();
      const onSignal = () => {
        defaultLog('interrupted; stopping what was started');
        ac.abort();
      };
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
      let svc;
      try {
        svc = await startLocalServices({ detached: true, signal: ac.signal });
      } catch (err) {
        if (ac.signal.aborted) return 130;
        throw err;
      } finally {
        process.removeListener('SIGINT', onSignal);
        process.removeListener('SIGTERM', onSignal);
      }
      console.log(`NEO4J_URI=${redactUrl(svc.neo4jUri)}`);
      console.log(`REDIS_URL=${redactUrl(svc.redisUrl)}`);
      return 0;
    }
    case 'stop': {
      const res = await stopLocalServices({});
      for (const [service, outcome] of Object.entries(res)) {
        console.log(`${service.padEnd(6)} ${outcome}`);
      }
      return 0;
    }
    case 'status': {
      const st = await statusLocalServices({});
      console.log(`DATA_DIR ${st.dataDir}`);
      console.log(formatStatus(st.neo4j));
      console.log(formatStatus(st.redis));
      const up = (s) => s.state === 'external' || (s.state === 'running' && s.answers);
      return up(st.neo4j) && up(st.redis) ? 0 : 3;
    }
    case 'build':
      await buildLauncher({ force: argv.includes('--force') });
      return 0;
    default:
      console.error('usage: node scripts/local-services.mjs start|stop|status|build [--force]');
      return cmd === undefined || cmd === '--help' || cmd === '-h' ? 0 : 2;
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err) => {
      defaultLog(`error: ${err instanceof Error ? err.message : String(err)}`);
      process.exit(1);
    },
  );
}
