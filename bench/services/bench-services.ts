import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort, startLocalServices } from '../../scripts/local-services.mjs';
import { benchLog } from '../harness/bench-log.js';

/** The Neo4j and Redis a benchmark runs against. */
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
 * `signal` aborts a start in progress (what was spawned is stopped again).
 */
export async function benchServices(signal?: AbortSignal): Promise<BenchServices> {
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
      signal,
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
