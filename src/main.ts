import { type ApiKey, generateDevelopmentKey } from './api/auth.js';
import { type Config, ConfigError, loadConfig } from './config.js';
import { createLogger } from './logger.js';
import { configuredApiKeys, createRuntime, type Role } from './runtime.js';

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

/**
 * The configured API keys. With none configured outside production, a development key with every
 * scope is generated and printed once, so `npm start` works out of the box; production refuses to
 * start without keys.
 */
function apiKeysFor(config: Config, role: Role): ApiKey[] {
  const keys = configuredApiKeys(config);
  if (keys.length > 0 || role === 'worker') return keys;
  if (config.NODE_ENV === 'production') {
    throw new ConfigError([
      { key: 'IDGRAPH_API_KEYS', message: 'required in production (or IDGRAPH_API_KEYS_FILE)' },
    ]);
  }
  const key = generateDevelopmentKey();
  process.stdout.write(
    `idgraph: no API keys configured (IDGRAPH_API_KEYS); generated a development key with every scope, shown once:\n` +
      `  Authorization: Bearer ${key.key}\n`,
  );
  return [key];
}

async function main(): Promise<void> {
  let config;
  let apiKeys;
  try {
    config = loadConfig(process.env);
    apiKeys = apiKeysFor(config, roleFrom(process.argv.slice(2), config.IDGRAPH_ROLE));
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`idgraph: ${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  const logger = createLogger(config.LOG_LEVEL);
  const role = roleFrom(process.argv.slice(2), config.IDGRAPH_ROLE);
  const runtime = await createRuntime(config, { role, logger, apiKeys });

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
  process.stderr.write(
    `idgraph: failed to start: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  if (error instanceof Error && error.cause instanceof Error)
    process.stderr.write(`  cause: ${error.cause.message}\n`);
  process.exit(1);
});
