import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { ComparisonDefinition } from './comparisons.js';
import {
  countUChunk,
  estimateU,
  U_CHUNKS,
  type UCounts,
  type UEstimate,
  uFromCounts,
  type UOptions,
} from './em-training.js';
import type { MatchRecord } from './normalize-attributes.js';

/**
 * u from random pairs on several threads: the chunks of {@link countUChunk} shared out over worker
 * threads, so the estimate is exactly the one-thread `estimateU`'s, in a fraction of the time (a
 * million pairs took ~2.5 s on one core, most of training on FEBRL3: docs/benchmarks.md).
 */

/** What a u-chunk worker is given (src/matching/u-chunk-worker.ts). */
export interface UChunkWork {
  readonly records: readonly MatchRecord[];
  readonly comparisons: readonly ComparisonDefinition[];
  readonly options: UOptions;
  readonly chunks: readonly number[];
  readonly of: number;
}

// Built, the worker is plain .js beside this module. Run from source (tsx, vitest), it is a .ts
// file, and a worker's entry does not go through the loader hooks of its parent: a small CommonJS
// bootstrap registers tsx's CommonJS loader in the thread, then requires it. tsx's ESM loader runs
// its hooks on a thread of their own, and loading the worker's modules through it took ~0.4 s of
// every training's critical path; through the CommonJS loader, 0.2–0.3 s (docs/benchmarks.md).
const fromSource = import.meta.url.endsWith('.ts');
const WORKER_URL = new URL(`./u-chunk-worker.${fromSource ? 'ts' : 'js'}`, import.meta.url);
const SOURCE_BOOTSTRAP = `
const { workerData } = require('node:worker_threads');
require(workerData.tsx).register();
require(workerData.entry);
`;

function startWorker(work: UChunkWork): Worker {
  if (!fromSource) return new Worker(WORKER_URL, { workerData: { work } });
  return new Worker(SOURCE_BOOTSTRAP, {
    eval: true,
    workerData: {
      work,
      tsx: createRequire(import.meta.url).resolve('tsx/cjs/api'),
      entry: fileURLToPath(WORKER_URL),
    },
  });
}

function runChunks(work: UChunkWork): Promise<UCounts[]> {
  return new Promise((resolve, reject) => {
    const worker = startWorker(work);
    let answered = false;
    worker.once('message', (counts: UCounts[]) => {
      answered = true;
      resolve(counts);
    });
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (!answered) reject(new Error(`u-chunk worker exited with ${code} before answering`));
    });
  });
}

/**
 * `estimateU` with its chunks shared out over `threads` threads, this one and worker threads
 * (default: the cores Node may use, at most {@link U_CHUNKS}); all on this thread when that is one.
 */
export async function estimateUInParallel(
  records: readonly MatchRecord[],
  comparisons: readonly ComparisonDefinition[],
  options: UOptions & { readonly threads?: number },
): Promise<UEstimate> {
  const { threads: wanted, ...uOptions } = options;
  const threads = Math.max(1, Math.min(wanted ?? availableParallelism(), U_CHUNKS));
  if (threads === 1) return estimateU(records, comparisons, uOptions);
  const shares = Array.from({ length: threads }, (_, t) =>
    Array.from({ length: U_CHUNKS }, (_, chunk) => chunk).filter((chunk) => chunk % threads === t),
  );
  // This thread counts the first share itself while the workers count the others: its code is
  // already compiled, and one worker fewer starts.
  const [own, ...others] = shares;
  const answers = others.map((chunks) =>
    runChunks({ records, comparisons, options: uOptions, chunks, of: U_CHUNKS }),
  );
  // Rejections are awaited below; until then they must not count as unhandled.
  for (const answer of answers) answer.catch(() => undefined);
  const mine = own!.map((chunk) => countUChunk(records, comparisons, uOptions, chunk, U_CHUNKS));
  return uFromCounts([...mine, ...(await Promise.all(answers)).flat()]);
}
