// Types for scripts/redis-cluster.mjs (plain JS like local-services.mjs), so the vitest global setup
// can import it under `strict`. Keep in sync with the .mjs.

export interface RedisClusterHandle {
  /** A `redis+cluster://` REDIS_URL naming every node. */
  url: string;
  ports: number[];
  /** Stops every node (SIGTERM, then SIGKILL after 10 s). */
  stop(): Promise<void>;
}

export function startRedisCluster(options: {
  /** The nodes' data goes to `<dataDir>/redis-cluster/<port>`. */
  dataDir: string;
  /** Three client ports; default: spare ones. Cluster bus ports are always spare ones. */
  ports?: number[];
  log?: (message: string) => void;
}): Promise<RedisClusterHandle>;
