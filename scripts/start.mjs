#!/usr/bin/env node
/**
 * `npm start`: from a fresh clone to a running service on local, real Neo4j and Redis.
 *
 * 1. installs npm dependencies when missing, builds dist/;
 * 2. checks the configuration (a bad variable stops us here, within seconds, before anything starts);
 * 3. starts the local Neo4j (our embedded launcher) and Redis, unless NEO4J_URI / REDIS_URL are set,
 *    or reuses the ones `npm run services:start` left running for the same DATA_DIR;
 * 4. runs the service (`dist/main.js`, API + worker by default; extra args pass through);
 * 5. supervises the local services it started: one that dies is restarted with back-off (logged:
 *    `[idgraph] redis exited (signal SIGKILL); restarting in 1 s (attempt 2)`), and the service
 *    reconnects by itself; reused and external services are not supervised;
 * 6. on Ctrl-C or SIGTERM, or when the service exits, stops the service first and then the local
 *    services running now (restarted ones included). A restart with the same DATA_DIR keeps the
 *    graph and the queue.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { build, checkNode, ensureDependencies, REPO_ROOT } from './bootstrap.mjs';

const log = (message) => process.stderr.write(`[idgraph] ${message}\n`);

checkNode();
ensureDependencies();
build();

const { ConfigError, loadConfig } = await import(
  pathToFileURL(path.join(REPO_ROOT, 'dist', 'config.js')).href
);
let config;
try {
  config = loadConfig(process.env);
} catch (error) {
  if (error instanceof ConfigError) {
    process.stderr.write(`idgraph: ${error.message}\n`);
    process.exit(2);
  }
  throw error;
}

const { startLocalServices } = await import('./local-services.mjs');
const abort = new AbortController();
let stopping = false;
let child;
let services;

const onSignal = (signal) => {
  if (stopping) return;
  stopping = true;
  if (child && child.exitCode === null) {
    // A terminal's Ctrl-C reaches the service too (same process group); SIGTERM covers `kill`.
    child.kill(signal === 'SIGINT' ? 'SIGINT' : 'SIGTERM');
  } else {
    abort.abort();
  }
};
process.on('SIGINT', () => onSignal('SIGINT'));
process.on('SIGTERM', () => onSignal('SIGTERM'));

const started = Date.now();
try {
  services = await startLocalServices({
    dataDir: path.resolve(REPO_ROOT, config.DATA_DIR),
    neo4jBoltPort: config.NEO4J_BOLT_PORT,
    redisPort: config.REDIS_PORT,
    heap: config.NEO4J_HEAP,
    pageCache: config.NEO4J_PAGECACHE,
    signal: abort.signal,
    log: (m) => log(m),
    supervise: true,
  });
} catch (error) {
  log(
    `could not start the local services: ${error instanceof Error ? error.message : String(error)}`,
  );
  process.exit(1);
}
if (stopping) {
  await services.stop();
  process.exit(130);
}
log(`services ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);

child = spawn(
  process.execPath,
  [path.join(REPO_ROOT, 'dist', 'main.js'), ...process.argv.slice(2)],
  {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      DATA_DIR: config.DATA_DIR,
      NEO4J_URI: services.neo4jUri,
      REDIS_URL: services.redisUrl,
    },
    stdio: 'inherit',
  },
);
const code = await new Promise((resolve) =>
  child.once('exit', (c, signal) => resolve(c ?? (signal ? 128 : 1))),
);
stopping = true;
await services.stop();
log(`stopped (service exit code ${code})`);
process.exit(code);
