import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../../scripts/local-services.mjs';
import { event, http, stopChild, testKeys, waitForJob } from './harness.js';

/**
 * `npm start` (scripts/start.mjs, real processes, a DATA_DIR and ports of its own) supervises the
 * Redis it started: killed with SIGKILL, it is restarted with back-off and the log says so, and
 * the service answers again without a restart. SIGTERM then stops what runs now (the restarted
 * Redis included): no process of that DATA_DIR is left.
 */

let dataDir: string | undefined;
let start: ChildProcess | undefined;
let redisPort = '';

/**
 * Processes of this DATA_DIR: start.mjs, the service and Neo4j by their environment; Redis by its
 * command line (redis-server rewrites its environment and arguments with its process title).
 */
function processesOf(dir: string, redisPort: string): number[] {
  const marker = `DATA_DIR=${dir}\0`;
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        if (readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.startsWith('Z')) return false;
        const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'latin1');
        if (cmdline.startsWith('redis-server') || cmdline.includes('/redis-server'))
          return cmdline.includes(`127.0.0.1:${redisPort}`);
        return readFileSync(`/proc/${pid}/environ`, 'latin1').includes(marker);
      } catch {
        return false; // gone, or not ours to read
      }
    })
    .map(Number);
}

afterAll(async () => {
  if (start) await stopChild(start, 'SIGTERM');
  if (dataDir) {
    for (const pid of processesOf(dataDir, redisPort)) process.kill(pid, 'SIGKILL');
    await rm(dataDir, { recursive: true, force: true });
  }
});

async function until<T>(
  what: string,
  check: () => T | undefined | Promise<T | undefined>,
  ms: number,
) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/**
 * start.mjs runs `npm install` when node_modules looks older than package-lock.json; a test must not
 * (a checkout sharing another's node_modules would get its own): it needs them installed already.
 */
function dependenciesInstalled(): void {
  const installed = statSync('node_modules/.package-lock.json', { throwIfNoEntry: false });
  if (!installed || installed.mtimeMs < statSync('package-lock.json').mtimeMs)
    throw new Error('run npm install first: start.mjs would install the dependencies itself');
}

const redisPid = (dir: string) =>
  (JSON.parse(readFileSync(join(dir, 'run', 'redis.pid'), 'utf8')) as { pid: number }).pid;

describe('npm start supervision', () => {
  it(
    'restarts the Redis it started after kill -9, and SIGTERM leaves no process behind',
    { timeout: 480_000 },
    async () => {
      dependenciesInstalled();
      dataDir = await mkdtemp(join(tmpdir(), 'idgraph-start-'));
      const port = await freePort();
      redisPort = String(await freePort());
      const env: Record<string, string | undefined> = {
        ...process.env,
        NODE_ENV: 'test',
        LOG_LEVEL: 'warn',
        DATA_DIR: dataDir,
        HOST: '127.0.0.1',
        PORT: String(port),
        NEO4J_BOLT_PORT: String(await freePort()),
        REDIS_PORT: redisPort,
        NEO4J_HEAP: '512m',
        NEO4J_PAGECACHE: '64m',
        IDGRAPH_API_KEYS: JSON.stringify(testKeys),
      };
      delete env.NEO4J_URI;
      delete env.REDIS_URL;
      start = spawn(process.execPath, ['scripts/start.mjs'], {
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      start.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      start.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const baseUrl = `http://127.0.0.1:${port}`;
      await until('the service', () => stdout.includes('idgraph ready:'), 240_000);

      const first = redisPid(dataDir);
      process.kill(first, 'SIGKILL');
      await until(
        'the restart',
        () =>
          stderr.includes('[idgraph] redis exited (signal SIGKILL); restarting in 1 s (attempt 2)'),
        30_000,
      );
      const second = await until(
        'a new Redis',
        () => (stderr.includes('[idgraph] redis restarted') ? redisPid(dataDir!) : undefined),
        60_000,
      );
      expect(second).not.toBe(first);

      // The service reconnects by itself: the API accepts events again and the worker applies them.
      const posted = await until(
        'the API to accept events again',
        async () => {
          const answer = await http<{ jobId: string }>(baseUrl, 'POST', '/v1/events', {
            events: [event([{ type: 'email', value: 'after.restart@example.org' }])],
          });
          return answer.status === 202 ? answer.body : undefined;
        },
        60_000,
      );
      expect(await waitForJob({ baseUrl }, posted.jobId, 120_000)).toMatchObject({
        state: 'completed',
      });

      const running = processesOf(dataDir, redisPort);
      expect(running).toContain(second);
      expect(await stopChild(start, 'SIGTERM')).not.toBeNull();
      start = undefined;
      expect(stderr).toContain('[idgraph] stopped');
      expect(processesOf(dataDir, redisPort)).toEqual([]);
    },
  );
});
