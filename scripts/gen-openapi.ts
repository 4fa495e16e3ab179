/**
 * Writes docs/openapi.json from the routes' zod schemas (the same document `GET /openapi.json`
 * serves), so the API reference in the repository never drifts from the code.
 * `--check` exits 1 when the file is out of date (CI runs it).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AppDeps } from '../src/api/app-deps.js';
import { buildApp } from '../src/app.js';
import { createLogger } from '../src/logger.js';
import { createMetrics } from '../src/metrics/metrics.js';

const target = join(dirname(fileURLToPath(import.meta.url)), '..', 'docs', 'openapi.json');

const unused = () => {
  throw new Error('not used while generating the OpenAPI document');
};

export async function renderOpenApi(): Promise<string> {
  // The document depends on the routes only: services are never called.
  const deps = {
    logger: createLogger('silent'),
    ingest: {
      enqueue: unused,
      getJob: unused,
      waitForJob: unused,
      listDeadLetters: unused,
      retryDeadLetter: unused,
    },
    persons: {
      resolveMany: unused,
      getPerson: unused,
      getPersonLinks: unused,
      getIdentifier: unused,
    },
    audit: { list: unused },
    history: { page: unused, at: unused },
    explain: { explain: unused },
    privacy: { create: unused, get: unused, list: unused },
    readiness: unused,
    apiKeys: [],
    metrics: createMetrics(),
    rateLimit: { max: 0, windowMs: 1000 },
    eventsWaitTimeoutMs: 10_000,
  } as unknown as AppDeps;
  const app = await buildApp(deps);
  await app.ready();
  const document = `${JSON.stringify(app.swagger(), null, 2)}\n`;
  await app.close();
  return document;
}

const document = await renderOpenApi();
if (process.argv.includes('--check')) {
  let current = '';
  try {
    current = readFileSync(target, 'utf8');
  } catch {
    // missing counts as out of date
  }
  if (current !== document) {
    process.stderr.write('docs/openapi.json is out of date: run `npm run docs:openapi`\n');
    process.exit(1);
  }
  process.stdout.write('docs/openapi.json is up to date\n');
} else {
  writeFileSync(target, document);
  process.stdout.write(`wrote ${target}\n`);
}
