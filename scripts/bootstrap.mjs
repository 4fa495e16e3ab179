/**
 * First-run steps shared by `npm start` and `npm test`, in Node built-ins only: they run before
 * `npm install` may have happened. Installs npm dependencies when they are missing or older than the
 * lock file, and checks the toolchain the local services need.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const log = (message) => process.stderr.write(`[idgraph] ${message}\n`);

export function checkNode() {
  const major = Number(process.versions.node.split('.')[0]);
  if (major < 20) {
    log(`Node ${process.versions.node} is too old: idgraph needs Node 20 or newer.`);
    process.exit(1);
  }
}

function mtime(file) {
  try {
    return fs.statSync(file).mtimeMs;
  } catch {
    return 0;
  }
}

/**
 * `npm install` when node_modules is missing or older than package-lock.json. Not `npm ci`: npm 11
 * rejects this lock file in `ci` for platform-specific optional packages it left out itself
 * (msgpackr-extract's), while `install` honours the lock as written.
 */
export function ensureDependencies() {
  const lock = path.join(REPO_ROOT, 'package-lock.json');
  const installed = path.join(REPO_ROOT, 'node_modules', '.package-lock.json');
  if (mtime(installed) >= mtime(lock) && mtime(installed) > 0) return;
  log('installing npm dependencies (npm install)…');
  const result = spawnSync('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'], {
    cwd: REPO_ROOT,
    stdio: 'inherit',
  });
  if (result.status !== 0) {
    log('npm install failed; see the output above.');
    process.exit(result.status ?? 1);
  }
  // npm may rewrite package-lock.json after node_modules: mark the install as the newer of the two.
  const now = new Date();
  fs.utimesSync(installed, now, now);
}

/** Compiles src/ to dist/ (incremental: fast when nothing changed) and builds the console into dist/ui. */
export function build() {
  const tsc = path.join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  const result = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], {
    cwd: REPO_ROOT,
    stdio: 'inherit',
  });
  if (result.status !== 0) {
    log('TypeScript build failed; see the output above.');
    process.exit(result.status ?? 1);
  }
  // The audit console (served at /ui), as `npm run build` builds it.
  const ui = spawnSync(process.execPath, [path.join(REPO_ROOT, 'scripts', 'build-ui.mjs')], {
    cwd: REPO_ROOT,
    stdio: 'inherit',
  });
  if (ui.status !== 0) {
    log('The console build failed; see the output above.');
    process.exit(ui.status ?? 1);
  }
}
