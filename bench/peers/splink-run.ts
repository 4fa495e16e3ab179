import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { z } from 'zod';
import { REPO_ROOT } from '../../scripts/local-services.mjs';
import type { ProcessGroup } from '../services/process-group.js';

/** One Splink run: pairwise and clustered accuracy on one data set with one settings variant, and its times. */
export interface SplinkResult {
  dataset: string;
  settings: 'published' | 'matched';
  precision: number;
  recall: number;
  f1: number;
  tp: number;
  fp: number;
  fn: number;
  clustered: { precision: number; recall: number; f1: number };
  lambda: number;
  /** Splink's own time: registering the data to scored pairs (training + prediction). */
  seconds: number;
  /** Wall time of the whole Python process (start, imports, data load, training, prediction, clustering). */
  wallSeconds: number;
}

const splinkLineSchema = z.object({
  dataset: z.string(),
  settings: z.enum(['published', 'matched']),
  precision: z.number(),
  recall: z.number(),
  f1: z.number(),
  tp: z.number(),
  fp: z.number(),
  fn: z.number(),
  clustered: z.object({ precision: z.number(), recall: z.number(), f1: z.number() }),
  lambda: z.number(),
  seconds: z.number(),
});

/**
 * Runs bench/peers/splink_bench.py for one data set and one settings variant in a fresh Python
 * process (tracked by `processes`), timed from spawn to exit.
 */
export async function runSplink(
  processes: ProcessGroup,
  python: string,
  dataDir: string,
  dataset: string,
  settings: 'published' | 'matched',
): Promise<SplinkResult> {
  const started = performance.now();
  const child = spawn(
    python,
    [
      join(REPO_ROOT, 'bench', 'peers', 'splink_bench.py'),
      '--data',
      dataDir,
      '--settings',
      settings,
      '--only',
      dataset,
    ],
    {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, PYTHONUNBUFFERED: '1' },
    },
  );
  processes.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  const wallSeconds = (performance.now() - started) / 1000;
  if (code !== 0)
    throw new Error(
      `splink_bench.py ${dataset} ${settings} exited with ${code}:\n${stderr.slice(-3000)}`,
    );
  const line = stdout
    .split('\n')
    .map((l) => l.trim())
    .find((l) => l.startsWith('{'));
  if (!line) throw new Error(`splink_bench.py ${dataset} ${settings} printed no result`);
  return { ...splinkLineSchema.parse(JSON.parse(line)), wallSeconds };
}
