import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../../scripts/local-services.mjs';

/** Where benchmarks write their results and profiles (git-ignored). */
export const RESULTS_DIR = join(REPO_ROOT, 'bench', '.results');

/** A file or directory name of `at`, safe on every file system: 2026-01-01T12-00-00-000Z. */
export const fileTime = (at = new Date()) => at.toISOString().replace(/[:.]/g, '-');

/** Writes a benchmark's results as bench/.results/<name>-<time>.json; returns the path. */
export function saveResults(name: string, results: unknown): string {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = join(RESULTS_DIR, `${name}-${fileTime()}.json`);
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  return file;
}
