import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type RedisClient, redisServers } from '../../src/ingest/redis-connection.js';
import type { Config } from '../../src/config.js';
import {
  cypherStatements,
  joinStatements,
  serviceStatements,
} from '../../src/graph/cypher-loader.js';
import { createGraph, type Graph } from '../../src/graph/graph-client.js';
import { createLogger } from '../../src/logger.js';
import {
  type PrivacyRequestView,
  privacyRequestViewSchema,
} from '../../src/privacy/privacy-contract.js';

/**
 * Privacy request tests' tools: a graph client that also runs the tests' own statements
 * (test/support/cypher: suppressing hashes as an erase request will, reading traces, a keep-apart
 * split's constraint and audit record for the explain tests), waiting for
 * a request over the API, and every value Redis holds under a prefix.
 */

const testCypherNames = [
  'cypher/write/add-suppressions',
  'cypher/read/suppressions',
  'cypher/read/privacy-traces',
  'cypher/read/every-property',
  'cypher/read/link-states',
  'cypher/write/keep-apart-split',
] as const;

export function testGraph(
  config: Config,
): Graph<Parameters<Graph['query']>[0] | (typeof testCypherNames)[number]> {
  return createGraph({
    uri: config.NEO4J_URI!,
    user: config.NEO4J_USER,
    password: config.NEO4J_PASSWORD,
    logger: createLogger('warn'),
    statements: joinStatements(
      serviceStatements(),
      cypherStatements(dirname(fileURLToPath(import.meta.url)), testCypherNames),
    ),
  });
}

export async function waitForRequest(
  baseUrl: string,
  id: string,
  key: string,
  timeoutMs = 60_000,
): Promise<PrivacyRequestView> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const response = await fetch(`${baseUrl}/v1/privacy/requests/${id}`, {
      headers: { authorization: `Bearer ${key}` },
    });
    if (response.status !== 200) throw new Error(`GET request ${id} answered ${response.status}`);
    const view = privacyRequestViewSchema.parse(await response.json());
    if (view.status === 'completed' || view.status === 'failed') return view;
    if (Date.now() > deadline) throw new Error(`request ${id} still ${view.status}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * Every key under `pattern` with its content, whatever its type, as one string to search (on a
 * cluster, each master's keys).
 */
export async function redisContent(client: RedisClient, pattern: string): Promise<string> {
  const parts: string[] = [];
  for (const redis of redisServers(client, 'master')) {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      cursor = next;
      for (const key of keys) {
        const type = await redis.type(key);
        let content: unknown;
        if (type === 'string') content = await redis.get(key);
        else if (type === 'hash') content = await redis.hgetall(key);
        else if (type === 'list') content = await redis.lrange(key, 0, -1);
        else if (type === 'set') content = await redis.smembers(key);
        else if (type === 'zset') content = await redis.zrange(key, 0, -1);
        else if (type === 'stream') content = await redis.xrange(key, '-', '+');
        parts.push(`${key} ${JSON.stringify(content)}`);
      }
    } while (cursor !== '0');
  }
  return parts.join('\n');
}
