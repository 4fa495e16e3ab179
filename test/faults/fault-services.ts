import { readFileSync } from 'node:fs';
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  boltHandshake,
  ensureNeo4j,
  ensureRedis,
  isPortOpen,
  redisPing,
} from '../../scripts/local-services.mjs';

/**
 * The fault suite's own Neo4j and Redis, in a data directory of its own, on ports from the suite's
 * range (17400-17499), never the developer's or the integration suite's. The harness plays the
 * supervisor: it kills, stops and starts them; the idgraph processes must cope on their own.
 */

const HOST = '127.0.0.1';
export const PORT_RANGE = { first: 17400, last: 17499 } as const;

/** A port of the suite's range that nothing listens on now and `taken` does not hold. */
export async function portInRange(taken: Set<number>): Promise<number> {
  for (let port = PORT_RANGE.first; port <= PORT_RANGE.last; port++) {
    if (taken.has(port)) continue;
    const free = await new Promise<boolean>((resolve) => {
      const server = net.createServer();
      server.once('error', () => resolve(false));
      server.listen({ host: HOST, port, exclusive: true }, () => server.close(() => resolve(true)));
    });
    if (free) {
      taken.add(port);
      return port;
    }
  }
  throw new Error(`no free port in ${PORT_RANGE.first}-${PORT_RANGE.last}`);
}

export type Dependency = 'neo4j' | 'redis';

/** One local service the harness supervises. */
export interface SupervisedService {
  readonly name: Dependency;
  readonly url: string;
  readonly port: number;
  /** SIGKILL, then wait until the process is gone and its port closed. */
  kill(): Promise<void>;
  /** A clean stop (SIGTERM, the service shuts down in order). */
  stop(): Promise<void>;
  /** Starts it again on the same port and data: Neo4j recovers its store, Redis replays its AOF. */
  start(): Promise<void>;
  /** True when the port answers the service's own handshake (Bolt / PING). */
  answers(): Promise<boolean>;
  pid(): number | undefined;
  /** True while the harness has it running (started and not killed or stopped since). */
  running(): boolean;
}

interface Handle {
  pid?: number;
  stop(): Promise<void>;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

function supervised(
  name: Dependency,
  url: string,
  port: number,
  launch: () => Promise<Handle>,
  answers: (port: number) => Promise<boolean>,
): SupervisedService & { launch(): Promise<void> } {
  let handle: Handle | undefined;
  return {
    name,
    url,
    port,
    async launch() {
      handle = await launch();
    },
    async kill() {
      const pid = handle?.pid;
      if (pid === undefined) throw new Error(`${name} is not running`);
      process.kill(pid, 'SIGKILL');
      // A JVM's main thread shows as a zombie while its other threads still hold the sockets.
      while (alive(pid) || (await isPortOpen(port, 200))) await sleep(20);
      handle = undefined;
    },
    async stop() {
      await handle?.stop();
      handle = undefined;
    },
    async start() {
      if (handle) throw new Error(`${name} is already running`);
      handle = await launch();
    },
    answers: () => answers(port),
    pid: () => handle?.pid,
    running: () => handle !== undefined,
  };
}

export interface FaultServices {
  neo4j: SupervisedService;
  redis: SupervisedService;
  stop(): Promise<void>;
}

/** Starts Neo4j and Redis for the suite in `dataDir` (both at once: Neo4j takes the longest). */
export async function startFaultServices(
  dataDir: string,
  taken: Set<number>,
  log: (line: string) => void,
): Promise<FaultServices> {
  const boltPort = await portInRange(taken);
  const redisPort = await portInRange(taken);
  const serviceLog = (m: string) => log(`services: ${m}`);
  const neo4j = supervised(
    'neo4j',
    `bolt://${HOST}:${boltPort}`,
    boltPort,
    () =>
      ensureNeo4j({
        dataDir,
        boltPort,
        heap: '1g',
        pageCache: '256m',
        ignoreEnv: true,
        log: serviceLog,
      }),
    (port) => boltHandshake(port),
  );
  const redis = supervised(
    'redis',
    `redis://${HOST}:${redisPort}`,
    redisPort,
    () => ensureRedis({ dataDir, port: redisPort, ignoreEnv: true, log: serviceLog }),
    (port) => redisPing(port),
  );
  const started = await Promise.allSettled([neo4j.launch(), redis.launch()]);
  const stop = async () => {
    await Promise.allSettled([neo4j.stop(), redis.stop()]);
  };
  const failed = started.find((r) => r.status === 'rejected');
  if (failed) {
    await stop();
    throw failed.reason;
  }
  return { neo4j, redis, stop };
}
