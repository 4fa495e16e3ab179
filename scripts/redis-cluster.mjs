#!/usr/bin/env node
/**
 * A local Redis Cluster of three masters (no replicas) from Debian's redis-server, for running the
 * queue on a cluster on one machine: each node in cluster mode with append-only persistence and
 * noeviction, joined with `redis-cli --cluster create`, ready once every node reports
 * `cluster_state:ok`.
 *
 * As a module: `startRedisCluster({ dataDir, ports, log })` resolves to `{ url, ports, stop }`, the
 * url a `redis+cluster://` REDIS_URL; the integration setup uses it when IDGRAPH_TEST_REDIS_CLUSTER=1.
 * As a command: `node scripts/redis-cluster.mjs [--ports 17500,17501,17502]` starts one in a
 * temporary directory, prints its REDIS_URL and stops it (removing the directory) on Ctrl-C.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, redisPing } from './local-services.mjs';

const HOST = '127.0.0.1';
const NODES = 3;
const START_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 10_000;

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitUntil(check, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() > deadline) return false;
    await sleep(100);
  }
}

/** Distinct spare ports: the client ports (unless given) and each node's cluster bus port. */
async function pickPorts(given) {
  const taken = new Set(given ?? []);
  const pick = async () => {
    for (;;) {
      const port = await freePort();
      if (!taken.has(port)) {
        taken.add(port);
        return port;
      }
    }
  };
  const ports = given ?? [];
  while (ports.length < NODES) ports.push(await pick());
  const busPorts = [];
  for (let i = 0; i < NODES; i += 1) busPorts.push(await pick());
  return { ports, busPorts };
}

function redisCli(args, timeoutMs = 10_000) {
  return spawnSync('redis-cli', ['-h', HOST, ...args], { encoding: 'utf8', timeout: timeoutMs });
}

function tail(file) {
  try {
    return fs.readFileSync(file, 'utf8').split('\n').slice(-20).join('\n');
  } catch {
    return '';
  }
}

/**
 * Starts the three nodes, joins them into one cluster and waits until it serves every slot.
 * Whatever was started is stopped again when a step fails, and when this process exits.
 */
export async function startRedisCluster({ dataDir, ports: given, log = () => {} } = {}) {
  if (spawnSync('redis-server', ['--version']).error || spawnSync('redis-cli', ['-v']).error)
    throw new Error('redis-server and redis-cli are needed: sudo apt-get install -y redis-server');
  const { ports, busPorts } = await pickPorts(given);
  const root = path.join(dataDir, 'redis-cluster');
  const nodes = ports.map((port, i) => {
    const dir = path.join(root, String(port));
    fs.mkdirSync(dir, { recursive: true });
    const logFile = path.join(dir, 'redis.log');
    // prettier-ignore
    const args = [
      '--bind', HOST,
      '--port', String(port),
      '--cluster-enabled', 'yes',
      '--cluster-port', String(busPorts[i]),
      '--cluster-config-file', 'nodes.conf',
      '--cluster-node-timeout', '5000',
      '--protected-mode', 'yes',
      '--dir', dir,
      '--appendonly', 'yes', // BullMQ jobs must survive a restart, as on the single server
      '--appendfsync', 'everysec',
      '--save', '',
      '--maxmemory-policy', 'noeviction',
      '--daemonize', 'no',
      '--logfile', logFile,
    ];
    const child = spawn('redis-server', args, { stdio: 'ignore' });
    return { port, child, logFile };
  });
  const killAll = () => nodes.forEach((node) => node.child.kill('SIGKILL'));
  process.once('exit', killAll);
  const stop = async () => {
    process.removeListener('exit', killAll);
    await Promise.all(
      nodes.map(async ({ child }) => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
        await exited;
        clearTimeout(timer);
      }),
    );
  };

  try {
    log(`redis cluster: starting nodes on ${ports.join(', ')} (data ${root})`);
    for (const node of nodes) {
      if (!(await waitUntil(() => redisPing(node.port), START_TIMEOUT_MS)))
        throw new Error(`redis cluster: node ${node.port} did not answer\n${tail(node.logFile)}`);
    }
    const create = redisCli(
      [
        '--cluster',
        'create',
        ...ports.map((p) => `${HOST}:${p}`),
        '--cluster-replicas',
        '0',
        '--cluster-yes',
      ],
      START_TIMEOUT_MS,
    );
    if (create.status !== 0)
      throw new Error(`redis cluster: create failed\n${create.stdout}${create.stderr}`);
    const ok = (port) =>
      /cluster_state:ok/.test(redisCli(['-p', String(port), 'cluster', 'info']).stdout);
    if (!(await waitUntil(() => ports.every(ok), START_TIMEOUT_MS)))
      throw new Error('redis cluster: cluster_state did not become ok');
    const url = `redis+cluster://${ports.map((p) => `${HOST}:${p}`).join(',')}`;
    log(`redis cluster: ready at ${url}`);
    return { url, ports, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const flag = process.argv.indexOf('--ports');
  const ports = flag > 0 ? process.argv[flag + 1]?.split(',').map(Number) : undefined;
  if (ports && (ports.length !== NODES || ports.some((p) => !Number.isInteger(p))))
    throw new Error(`--ports takes ${NODES} port numbers, comma separated`);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'idgraph-redis-cluster-'));
  const cluster = await startRedisCluster({ dataDir, ports, log: (m) => console.error(m) });
  console.log(`REDIS_URL=${cluster.url}`);
  const shutdown = async () => {
    await cluster.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
    process.exit(0);
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}
