import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ensureNeo4j, freePort } from '../../scripts/local-services.mjs';

/**
 * Where a graph that `idgraph replay` writes or `idgraph diff` reads lives: a Neo4j URI, or a data
 * directory of our own (the layout scripts/local-services.mjs gives DATA_DIR: the store in
 * `<dir>/neo4j`, the pid file in `<dir>/run`), on which the command starts the embedded Neo4j on a
 * spare loopback port and stops it when it is done. A replay into a directory leaves the store
 * there, so `diff` can open it the same way later.
 */

export type GraphLocation = { kind: 'uri'; uri: string } | { kind: 'dir'; dir: string };

const uriPattern = /^(bolt|neo4j)(\+s|\+ssc)?:\/\//;

export function parseGraphLocation(argument: string): GraphLocation {
  return uriPattern.test(argument)
    ? { kind: 'uri', uri: argument }
    : { kind: 'dir', dir: resolve(argument) };
}

/** Entries a data directory of ours may hold (local-services.mjs writes these). */
const dataDirEntries = new Set(['neo4j', 'run', 'redis']);

/**
 * True when `dir` is missing, empty or laid out as a data directory: anything else is someone's
 * folder, and Neo4j is not started in it.
 */
export function isDataDirectory(dir: string): boolean {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch (error) {
    if ((error as { code?: string }).code === 'ENOENT') return true;
    throw error;
  }
  return entries.every((e) => dataDirEntries.has(e));
}

/** The port of the Neo4j a previous start left running on `dir` (its pid file), if any. */
function recordedPort(dir: string): number | undefined {
  try {
    const info = JSON.parse(readFileSync(join(dir, 'run', 'neo4j.pid'), 'utf8')) as {
      port?: unknown;
    };
    return typeof info.port === 'number' ? info.port : undefined;
  } catch {
    return undefined;
  }
}

export interface OpenedLocation {
  uri: string;
  /** The data directory, when the graph is one of ours. */
  dir?: string;
  /** Stops the Neo4j this call started (nothing for a URI, or an instance already running). */
  stop(): Promise<void>;
}

/**
 * The URI of the graph at `location`: a URI as it is; for a directory, the embedded Neo4j started
 * on it (or the one already running there), with the given heap and page cache, tied to this
 * process (it shuts down if the process dies).
 */
export async function openGraphLocation(
  location: GraphLocation,
  options: { heap: string; pageCache: string; log: (line: string) => void; signal?: AbortSignal },
): Promise<OpenedLocation> {
  if (location.kind === 'uri') return { uri: location.uri, stop: async () => {} };
  const neo4j = await ensureNeo4j({
    dataDir: location.dir,
    boltPort: recordedPort(location.dir) ?? (await freePort()),
    heap: options.heap,
    pageCache: options.pageCache,
    log: options.log,
    ignoreEnv: true,
    ...(options.signal ? { signal: options.signal } : {}),
  });
  return { uri: neo4j.uri, dir: location.dir, stop: () => neo4j.stop() };
}
