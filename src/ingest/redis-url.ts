/**
 * What `REDIS_URL` names: one Redis server (`redis://`, `rediss://`, handed to ioredis as it is),
 * or a Redis Cluster (`redis+cluster://`, `rediss+cluster://` with TLS) given by some of its nodes:
 * `redis+cluster://[user[:password]@]host:port[,host:port…]`. The client learns the other nodes
 * and the slot map from whichever seed answers, so the list need not be complete.
 *
 * Pure: config.ts validates with it, redis-connection.ts connects with it.
 */

export interface ClusterNode {
  host: string;
  port: number;
}

export type RedisTarget =
  | { kind: 'server'; url: string }
  | {
      kind: 'cluster';
      nodes: ClusterNode[];
      username: string | undefined;
      password: string | undefined;
      tls: boolean;
    };

const CLUSTER_URL = /^(rediss?)\+cluster:\/\/(?:([^@/?#]*)@)?([^/?#]*)(\/0?)?$/;
const NODE = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]\s]+))(?::(\d{1,5}))?$/;

/** True for the cluster schemes; says nothing about whether the rest parses. */
export function isClusterUrl(url: string): boolean {
  return /^rediss?\+cluster:\/\//.test(url);
}

/**
 * Parses a Redis URL. Throws an Error whose message never repeats the URL (it may hold a password).
 */
export function parseRedisUrl(url: string): RedisTarget {
  if (!isClusterUrl(url)) {
    if (!/^rediss?:\/\//.test(url))
      throw new Error('must be a redis://, rediss://, redis+cluster:// or rediss+cluster:// URL');
    return { kind: 'server', url };
  }
  const match = CLUSTER_URL.exec(url);
  if (!match)
    throw new Error(
      'a cluster URL is redis+cluster://[user[:password]@]host:port[,host:port...] (no path but /0, no query)',
    );
  const [, scheme, userinfo, hostList] = match;
  const nodes = hostList!.split(',').map((entry) => parseNode(entry.trim()));
  const colon = userinfo?.indexOf(':') ?? -1;
  const decode = (s: string | undefined) =>
    s === undefined || s === '' ? undefined : decodeURIComponent(s);
  return {
    kind: 'cluster',
    nodes,
    username: decode(colon < 0 ? userinfo : userinfo!.slice(0, colon)),
    password: decode(colon < 0 ? undefined : userinfo!.slice(colon + 1)),
    tls: scheme === 'rediss',
  };
}

function parseNode(entry: string): ClusterNode {
  const match = NODE.exec(entry);
  const port = Number(match?.[3] ?? 6379);
  if (!match || port < 1 || port > 65535)
    throw new Error('every cluster node must be host:port (port 1-65535), comma separated');
  return { host: match[1] ?? match[2]!, port };
}

/** The URL for logs: credentials left out, nodes kept. */
export function redactRedisUrl(url: string): string {
  try {
    const target = parseRedisUrl(url);
    if (target.kind === 'cluster') {
      const scheme = target.tls ? 'rediss+cluster' : 'redis+cluster';
      const hosts = target.nodes.map(
        (n) => `${n.host.includes(':') ? `[${n.host}]` : n.host}:${n.port}`,
      );
      return `${scheme}://${hosts.join(',')}`;
    }
    const parsed = new URL(target.url);
    parsed.username = '';
    parsed.password = '';
    return parsed.toString();
  } catch {
    return '[unparseable uri]';
  }
}

/**
 * A key prefix whose keys all hash to one cluster slot. Redis hashes only the part of a key
 * between its first `{` and the next `}` when that part is not empty, and a BullMQ queue's Lua
 * scripts touch several of its keys at once, which a cluster allows only within one slot. A prefix
 * that already holds such a tag is kept; one without braces is wrapped in them. Undefined for a
 * prefix with braces that do not form a tag (its keys would hash apart).
 */
export function clusterQueuePrefix(prefix: string): string | undefined {
  const open = prefix.indexOf('{');
  const close = open < 0 ? -1 : prefix.indexOf('}', open + 1);
  if (close > open + 1) return prefix;
  if (prefix.includes('{') || prefix.includes('}')) return undefined;
  return `{${prefix}}`;
}
