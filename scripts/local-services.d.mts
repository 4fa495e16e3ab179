// Types for scripts/local-services.mjs (plain JS so it runs before `npm install`), so TypeScript
// callers (vitest global setup, scripts) can import it under `strict`. Keep in sync with the .mjs.

export type Log = (message: string) => void;

/** A started, reused or external service. `started: false` => stop() does nothing. */
interface ServiceHandle {
  started: boolean;
  /** Pid of the service process (ours: started now or reused); absent for external URLs. */
  pid?: number;
  /** True when the URL came from NEO4J_URI / REDIS_URL. */
  external?: boolean;
  /** A service started by this call: settles with how its process ended. */
  exited?: Promise<{ code: number | null; signal: string | null }>;
  stop(): Promise<void>;
}
export interface RedisHandle extends ServiceHandle {
  url: string;
}
export interface Neo4jHandle extends ServiceHandle {
  uri: string;
}

interface CommonOptions {
  /** Default: env DATA_DIR or <repo>/.data; relative paths resolve against the repo root. */
  dataDir?: string;
  /** Default: console.error with a "[services]" prefix. */
  log?: Log;
  startTimeoutMs?: number;
  /** Aborts a start in progress; the promise then rejects with an error named 'AbortError'. */
  signal?: AbortSignal;
}

export interface EnsureRedisOptions extends CommonOptions {
  /** Default: env REDIS_PORT or 6379. */
  port?: number;
  /** Start a private instance even when REDIS_URL is set. Default false. */
  ignoreEnv?: boolean;
}
export interface EnsureNeo4jOptions extends CommonOptions {
  /** Default: env NEO4J_BOLT_PORT or 7687. */
  boltPort?: number;
  /** JVM heap (-Xms/-Xmx), e.g. '1g'. Default: env NEO4J_HEAP or '2g'. */
  heap?: string;
  /** Default: env NEO4J_PAGECACHE or '2g'. */
  pageCache?: string;
  /** true: outlive this process. false (default): Neo4j shuts down when this process exits. */
  detached?: boolean;
  /** Start a private instance even when NEO4J_URI is set. Default false. */
  ignoreEnv?: boolean;
}
export interface StartLocalServicesOptions extends CommonOptions {
  neo4jBoltPort?: number;
  redisPort?: number;
  heap?: string;
  pageCache?: string;
  detached?: boolean;
  /** Restart a service this call started when it dies, with back-off (npm start). Default false. */
  supervise?: boolean;
  /** Where supervision logs exits and restarts. Default: `log`. */
  superviseLog?: Log;
}

export interface LocalServices {
  neo4jUri: string;
  redisUrl: string;
  neo4j: Neo4jHandle;
  redis: RedisHandle;
  /** Stops only what this call started. */
  stop(): Promise<void>;
}

export type StopOutcome = 'stopped' | 'not running' | 'stale pid file removed';

export interface ServiceStatus {
  service: 'neo4j' | 'redis';
  state: 'running' | 'stopped' | 'external';
  pid: number | null;
  port: number | null;
  /** bolt://127.0.0.1:port, redis://127.0.0.1:port, or the (password-redacted) external URL. */
  url: string;
  /** Does the port answer (Bolt handshake / Redis PING)? null for external services. */
  answers: boolean | null;
  stalePidFile?: boolean;
  logFile?: string | null;
}

export const REPO_ROOT: string;
export const LAUNCHER_DIR: string;
export const NEO4J_JVM_FLAGS: readonly string[];

export function ensureRedis(options?: EnsureRedisOptions): Promise<RedisHandle>;
export function ensureNeo4j(options?: EnsureNeo4jOptions): Promise<Neo4jHandle>;
export function startLocalServices(options?: StartLocalServicesOptions): Promise<LocalServices>;
/** Restarts `service` with back-off when its process dies; stop() stops the process running now. */
export function superviseService<S extends ServiceHandle>(
  name: string,
  service: S,
  restart: (signal: AbortSignal) => Promise<S>,
  options?: { log?: Log },
): { readonly pid: number | undefined; stop(): Promise<void> };
export function stopLocalServices(options?: {
  dataDir?: string;
  log?: Log;
}): Promise<{ neo4j: StopOutcome; redis: StopOutcome }>;
export function statusLocalServices(options?: {
  dataDir?: string;
}): Promise<{ dataDir: string; neo4j: ServiceStatus; redis: ServiceStatus }>;
export function buildLauncher(options?: { log?: Log; force?: boolean }): Promise<void>;
/** An OS-assigned spare TCP port on 127.0.0.1. */
export function freePort(): Promise<number>;
export function isPortOpen(port: number, timeoutMs?: number): Promise<boolean>;
export function redisPing(port: number, timeoutMs?: number): Promise<boolean>;
export function boltHandshake(port: number, timeoutMs?: number): Promise<boolean>;
/** The URL with its password replaced by ***. */
export function redactUrl(url: string): string;
