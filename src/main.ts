import { ConfigError, loadConfig } from './config.js';
import { createLogger } from './logger.js';
import { createRuntime, type Role } from './runtime.js';

/**
 * Process entry: parse config once, start the API and/or the worker, shut down cleanly on SIGINT and
 * SIGTERM. `--api` or `--worker` runs one part alone; by default (IDGRAPH_ROLE=all) both run here.
 */

function roleFrom(argv: readonly string[], fallback: Role): Role {
  const api = argv.includes('--api');
  const worker = argv.includes('--worker');
  if (api && !worker) return 'api';
  if (worker && !api) return 'worker';
  return fallback;
}

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`idgraph: ${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  const logger = createLogger(config.LOG_LEVEL);
  const role = roleFrom(process.argv.slice(2), config.IDGRAPH_ROLE);
  const runtime = await createRuntime(config, { role, logger });

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    const force = setTimeout(() => {
      logger.error('shutdown timed out; exiting');
      process.exit(1);
    }, config.SHUTDOWN_TIMEOUT_MS);
    force.unref();
    runtime.close().then(
      () => {
        logger.info('stopped');
        process.exit(0);
      },
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));

  if (runtime.app) {
    const address = await runtime.app.listen({ host: config.HOST, port: config.PORT });
    logger.info({ address, role }, 'idgraph API listening');
    // The one line a person starting the service looks for.
    process.stdout.write(`idgraph ready: ${address} (docs: ${address}/docs)\n`);
  } else {
    logger.info({ role }, 'idgraph worker running');
    process.stdout.write('idgraph worker ready\n');
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`idgraph: failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  if (error instanceof Error && error.cause instanceof Error) process.stderr.write(`  cause: ${error.cause.message}\n`);
  process.exit(1);
});
