#!/usr/bin/env node
/**
 * `npm run fuzz`: Schemathesis against the running service, from its own OpenAPI document.
 *
 * 1. starts a throwaway local Neo4j and Redis on spare ports in a temp DATA_DIR (or uses NEO4J_URI /
 *    REDIS_URL when both are set: the fuzzer writes random data there, so never point it at data
 *    you keep);
 * 2. starts the service (API + worker, `src/main.ts` through tsx) on a spare port with one API key
 *    holding every scope, and waits for /readyz;
 * 3. makes a few persons, links, a merge, a constraint and a privacy request through the API, whose
 *    ids Schemathesis then offers to the operations that take them (scripts/fuzz-seed.mjs);
 * 4. runs `schemathesis run http://127.0.0.1:<port>/openapi.json` over every operation with every
 *    check, within a time budget (FUZZ_MAX_TIME_S, default 120 s; FUZZ_MAX_EXAMPLES per operation,
 *    default 60);
 * 5. prints each operation tested with its result, stops what it started, and exits 1 on any
 *    failure (or when an operation of the document was not tested).
 *
 * Schemathesis comes from a Python virtual environment outside git: SCHEMATHESIS (a path to the
 * executable), else `.venv-ci/bin/schemathesis` (`.ci/run` creates it from
 * scripts/fuzz-requirements.txt, which pins the version). Extra arguments go to `schemathesis run`.
 */
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { seedFuzzData, seededSettings } from './fuzz-seed.mjs';
import { freePort, REPO_ROOT, startLocalServices } from './local-services.mjs';

const log = (message) => process.stderr.write(`[fuzz] ${message}\n`);

const schemathesis =
  process.env.SCHEMATHESIS ?? path.join(REPO_ROOT, '.venv-ci', 'bin', 'schemathesis');
const pinned = /schemathesis==(\S+)/.exec(
  fs.readFileSync(path.join(REPO_ROOT, 'scripts', 'fuzz-requirements.txt'), 'utf8'),
)?.[1];
const version = spawnSync(schemathesis, ['--version'], { encoding: 'utf8' });
if (version.status !== 0) {
  log(`no Schemathesis at ${schemathesis}; create the virtual environment first:`);
  log('  python3 -m venv .venv-ci && .venv-ci/bin/pip install -r scripts/fuzz-requirements.txt');
  process.exit(2);
}
if (pinned && !version.stdout.includes(pinned)) {
  log(
    `${version.stdout.trim()} is not the pinned ${pinned}: reinstall from scripts/fuzz-requirements.txt`,
  );
  process.exit(2);
}

const maxTime = Number(process.env.FUZZ_MAX_TIME_S ?? 120);
const maxExamples = Number(process.env.FUZZ_MAX_EXAMPLES ?? 60);
const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'idgraph-fuzz-'));
const apiKey = `idg_fuzz_${randomBytes(24).toString('base64url')}`;
let services;
let service;

async function stopAll() {
  if (service && service.exitCode === null && service.signalCode === null) {
    const exited = new Promise((resolve) => service.once('exit', resolve));
    service.kill('SIGTERM');
    await Promise.race([exited, sleep(20_000)]);
    if (service.exitCode === null && service.signalCode === null) service.kill('SIGKILL');
  }
  await services?.stop();
  fs.rmSync(workDir, { recursive: true, force: true });
}

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    void stopAll().then(() => process.exit(130));
  });
}

async function waitReady(baseUrl, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (service.exitCode !== null) throw new Error(`the service exited (${service.exitCode})`);
    try {
      const response = await fetch(`${baseUrl}/readyz`);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await sleep(250);
  }
  throw new Error('the service did not become ready');
}

/** Operations of the JUnit report: `METHOD /path` -> failure messages (none when it passed). */
function operationsOf(junitXml) {
  const results = new Map();
  for (const match of junitXml.matchAll(/<testcase\b([^>]*?)(\/>|>([\s\S]*?)<\/testcase>)/g)) {
    const name = /\bname="([^"]*)"/.exec(match[1])?.[1] ?? '?';
    const body = match[3] ?? '';
    const failures = [...body.matchAll(/<(failure|error)\b[^>]*?message="([^"]*)"/g)].map(
      (f) => f[2],
    );
    const skipped = /<skipped\b/.test(body);
    results.set(name.replaceAll('&amp;', '&'), { failures, skipped });
  }
  return results;
}

let exitCode = 1;
try {
  const external = Boolean(process.env.NEO4J_URI && process.env.REDIS_URL);
  const started = Date.now();
  if (external) {
    log('using NEO4J_URI and REDIS_URL (the fuzzer writes random data there)');
    services = {
      neo4jUri: process.env.NEO4J_URI,
      redisUrl: process.env.REDIS_URL,
      stop: async () => {},
    };
  } else {
    services = await startLocalServices({
      dataDir: path.join(workDir, 'data'),
      neo4jBoltPort: await freePort(),
      redisPort: await freePort(),
      heap: '1g',
      pageCache: '256m',
      log,
    });
    log(`services ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }

  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const env = {
    ...process.env,
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
    HOST: '127.0.0.1',
    PORT: String(port),
    DATA_DIR: path.join(workDir, 'data'),
    NEO4J_URI: services.neo4jUri,
    REDIS_URL: services.redisUrl,
    INGEST_QUEUE: `fuzz-${process.pid}`,
    PRIVACY_QUEUE: `fuzz-privacy-${process.pid}`,
    IDGRAPH_API_KEYS: JSON.stringify([
      {
        name: 'fuzz',
        key: apiKey,
        scopes: ['events:write', 'persons:read', 'audit:read', 'audit:write', 'privacy:write'],
      },
    ]),
    // The fuzzer sends far more requests than a client would; the limit itself is tested elsewhere.
    RATE_LIMIT_MAX: '0',
    EVENTS_WAIT_TIMEOUT_MS: '2000',
  };
  service = spawn(process.execPath, ['--import', 'tsx', path.join('src', 'main.ts')], {
    cwd: REPO_ROOT,
    env,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  await waitReady(baseUrl, 120_000);
  log(`service ready at ${baseUrl}`);
  const seed = await seedFuzzData(baseUrl, apiKey);
  log(
    `seeded ${Object.entries(seed)
      .map(([kind, values]) => `${values.length} ${kind}`)
      .join(', ')}`,
  );
  const settings = path.join(workDir, 'schemathesis.toml');
  fs.writeFileSync(
    settings,
    fs.readFileSync(path.join(REPO_ROOT, 'scripts', 'schemathesis.toml'), 'utf8') +
      seededSettings(seed),
  );

  const reportDir = path.join(workDir, 'report');
  const junit = path.join(reportDir, 'junit.xml');
  const args = [
    '--config-file',
    settings,
    'run',
    `${baseUrl}/openapi.json`,
    '--checks',
    'all',
    '--header',
    `Authorization: Bearer ${apiKey}`,
    '--max-time',
    String(maxTime),
    '--max-examples',
    String(maxExamples),
    // One worker: with two, Hypothesis (parsing lambda sources with `ast.parse` in both threads) hit
    // CPython 3.11 SystemErrors ("AST constructor recursion depth mismatch") in the tool itself.
    '--workers',
    '1',
    '--continue-on-failure',
    '--suppress-health-check',
    'all',
    '--report',
    'junit',
    '--report-junit-path',
    junit,
    '--no-color',
    ...process.argv.slice(2),
  ];
  log(`schemathesis ${args.join(' ').replace(apiKey, '***')}`);
  const run = spawn(schemathesis, args, { stdio: 'inherit', cwd: workDir });
  const stCode = await new Promise((resolve) =>
    run.once('exit', (c, signal) => resolve(c ?? (signal ? 1 : 0))),
  );

  const document = await (await fetch(`${baseUrl}/openapi.json`)).json();
  const expected = Object.entries(document.paths).flatMap(([p, ops]) =>
    Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`),
  );
  const results = fs.existsSync(junit) ? operationsOf(fs.readFileSync(junit, 'utf8')) : new Map();
  let failed = 0;
  let untested = 0;
  const tested = expected.filter((o) => results.has(o) && !results.get(o).skipped).length;
  process.stdout.write(`\noperations tested (${tested} of ${expected.length}):\n`);
  for (const operation of expected) {
    const result = results.get(operation);
    let state = 'passed';
    if (!result || result.skipped) {
      state = 'NOT TESTED';
      untested++;
    } else if (result.failures.length > 0) {
      state = `FAILED (${result.failures.length})`;
      failed++;
    }
    process.stdout.write(`  ${state.padEnd(12)} ${operation}\n`);
  }
  // Scenarios that are not one operation (stateful sequences) count when they fail.
  for (const [name, result] of results) {
    if (expected.includes(name) || result.failures.length === 0) continue;
    failed++;
    process.stdout.write(`  ${`FAILED (${result.failures.length})`.padEnd(12)} ${name}\n`);
  }
  process.stdout.write(
    `fuzz: ${expected.length} operations, ${failed} failed, ${untested} not tested (schemathesis exit ${stCode})\n`,
  );
  exitCode = stCode === 0 && failed === 0 && untested === 0 ? 0 : 1;
} catch (error) {
  log(error instanceof Error ? error.message : String(error));
  exitCode = 1;
} finally {
  if (!stopping) await stopAll();
}
process.exit(exitCode);
