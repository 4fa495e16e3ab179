#!/usr/bin/env node
/**
 * Benchmark runner: `npm run bench -- <name> [flags]` runs bench/<name>.ts with tsx, passing the
 * flags through; `npm run bench` lists the benchmarks. Node built-ins only.
 *
 * The benchmarks are the .ts files directly in bench/ (their parts live in its subfolders). A
 * benchmark describes itself in the first sentence of its leading /** ... *\/ comment, which is what
 * the listing shows.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BENCH_DIR = path.join(REPO_ROOT, 'bench');

function benchmarks() {
  if (!fs.existsSync(BENCH_DIR)) return [];
  return fs
    .readdirSync(BENCH_DIR, { withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.d.ts'))
    .map((e) => e.name)
    .sort()
    .map((f) => ({ name: f.slice(0, -'.ts'.length), file: path.join(BENCH_DIR, f) }));
}

/** First sentence of the file's first doc comment. */
function summary(file) {
  const text = fs.readFileSync(file, 'utf8');
  const doc = /\/\*\*([\s\S]*?)\*\//.exec(text)?.[1] ?? '';
  const prose = doc
    .split('\n')
    .map((l) => l.replace(/^\s*\*\s?/, '').trim())
    .filter((l) => l.length > 0 && !l.startsWith('@'))
    .join(' ');
  const sentence = /^(.*?\.)(\s|$)/.exec(prose)?.[1] ?? prose;
  return sentence.length > 100 ? `${sentence.slice(0, 97)}...` : sentence;
}

function list(stream) {
  const all = benchmarks();
  stream.write(
    'usage: npm run bench -- <name> [flags]   (flags: npm run bench -- <name> --help)\n\n',
  );
  if (all.length === 0) {
    stream.write('no benchmarks in bench/\n');
    return;
  }
  const width = Math.max(...all.map((b) => b.name.length));
  for (const b of all) stream.write(`  ${b.name.padEnd(width)}  ${summary(b.file)}\n`);
}

const [name, ...flags] = process.argv.slice(2);
if (name === undefined || name === '--help' || name === '-h' || name === 'list') {
  list(process.stdout);
  process.exit(0);
}
const bench = benchmarks().find((b) => b.name === name);
if (!bench) {
  process.stderr.write(`unknown benchmark: ${name}\n\n`);
  list(process.stderr);
  process.exit(2);
}

const child = spawn(process.execPath, ['--import', 'tsx', bench.file, ...flags], {
  cwd: REPO_ROOT,
  stdio: 'inherit',
});
// The benchmark shuts its services down on SIGINT/SIGTERM; pass the signal on and wait for it.
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) =>
  process.exit(code ?? (signal ? 128 + (signal === 'SIGINT' ? 2 : 15) : 1)),
);
child.on('error', (error) => {
  process.stderr.write(`could not start ${bench.file}: ${error.message}\n`);
  process.exit(1);
});
