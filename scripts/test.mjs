#!/usr/bin/env node
/**
 * `npm test`: works as the first command on a fresh clone. Installs what is missing, then runs the
 * unit, integration and e2e suites (the integration setup starts its own Neo4j and Redis on spare
 * ports unless NEO4J_URI and REDIS_URL are set). Extra arguments go to vitest.
 * Ends with one plain summary line (`tests: N passed, N failed`) for CI logs.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { checkNode, ensureDependencies, REPO_ROOT } from './bootstrap.mjs';

checkNode();
ensureDependencies();

const report = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'idgraph-vitest-')), 'report.json');
const vitest = path.join(REPO_ROOT, 'node_modules', 'vitest', 'vitest.mjs');
const child = spawn(
  process.execPath,
  [
    vitest,
    'run',
    '--reporter=default',
    '--reporter=json',
    `--outputFile.json=${report}`,
    ...process.argv.slice(2),
  ],
  { cwd: REPO_ROOT, stdio: 'inherit' },
);
const forward = (signal) => child.kill(signal);
process.on('SIGINT', forward);
process.on('SIGTERM', forward);
const code = await new Promise((resolve) =>
  child.once('exit', (c, signal) => resolve(c ?? (signal ? 1 : 0))),
);
try {
  const summary = JSON.parse(fs.readFileSync(report, 'utf8'));
  process.stdout.write(
    `tests: ${summary.numPassedTests} passed, ${summary.numFailedTests} failed` +
      (summary.numPendingTests + summary.numTodoTests > 0
        ? `, ${summary.numPendingTests + summary.numTodoTests} skipped`
        : '') +
      '\n',
  );
} catch {
  process.stdout.write('tests: no report (the run did not finish)\n');
}
process.exit(code);
