import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ProcessGroup } from '../services/process-group.js';
import { benchEnv } from '../services/bench-env.js';
import { startServiceProcess, stopServiceProcess } from '../services/service-process.js';
import type { LookupServices } from './lookup-graph.js';
import type { LookupSettings } from './lookup-settings.js';

/** The API process under load. */
export interface ApiProcess {
  url: string;
  pid: number;
  /** The process's output: its growth per request is the log volume a lookup costs. */
  logFile: string;
  stop(): Promise<void>;
}

/**
 * The API as its own process (`node --import tsx src/main.ts --api`, logs to a file), so that the
 * load generator in this process does not share its event loop. With `profileDir`, it writes a V8
 * CPU profile there when it stops.
 */
export async function startApi(
  processes: ProcessGroup,
  services: LookupServices,
  settings: Pick<LookupSettings, 'logLevel' | 'pool'>,
  profileDir: string | undefined,
): Promise<ApiProcess> {
  const logDir = mkdtempSync(join(tmpdir(), 'idgraph-bench-lookup-'));
  const logFile = join(logDir, 'api.log');
  const env = benchEnv(services, {
    HOST: '127.0.0.1',
    LOG_LEVEL: settings.logLevel,
    RATE_LIMIT_MAX: '0',
    ...(settings.pool ? { NEO4J_MAX_POOL_SIZE: settings.pool } : {}),
  });
  try {
    const api = await startServiceProcess(processes, 'api', 'api', env, {
      nodeFlags: profileDir ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : [],
      logFile,
      timeoutMs: 60_000,
    });
    return {
      url: api.url!,
      pid: api.child.pid!,
      logFile,
      async stop() {
        await stopServiceProcess(api);
        rmSync(logDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    rmSync(logDir, { recursive: true, force: true });
    throw error;
  }
}
