#!/usr/bin/env node
/**
 * Builds the audit console (src/ui/) into dist/ui/: one bundled, minified script and one stylesheet
 * with source maps, and index.html, all served by the API at /ui (src/api/ui-routes.ts). No CDN:
 * everything the page loads comes from here. `npm run build` runs it after the server's tsc;
 * `npm run build:ui` alone; the e2e test setup calls buildUi() before starting the browser.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as esbuild from 'esbuild';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Builds into `outDir` (dist/ui by default) and returns it. */
export async function buildUi(outDir = path.join(REPO_ROOT, 'dist', 'ui')) {
  const source = path.join(REPO_ROOT, 'src', 'ui');
  fs.rmSync(outDir, { recursive: true, force: true });
  fs.mkdirSync(outDir, { recursive: true });
  await esbuild.build({
    entryPoints: { console: path.join(source, 'main.tsx') },
    outdir: outDir,
    bundle: true,
    minify: true,
    sourcemap: true,
    format: 'esm',
    target: ['es2022'],
    platform: 'browser',
    jsx: 'automatic',
    jsxImportSource: 'preact',
    tsconfig: path.join(source, 'tsconfig.json'),
    loader: { '.css': 'css' },
    legalComments: 'linked',
    logLevel: 'warning',
  });
  fs.copyFileSync(path.join(source, 'index.html'), path.join(outDir, 'index.html'));
  return outDir;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const outDir = await buildUi();
  process.stdout.write(`console built into ${path.relative(process.cwd(), outDir)}\n`);
}
