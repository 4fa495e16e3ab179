import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { MatchRecord } from '../records/normalize-attributes.js';
import type { ComparisonDefinition } from '../scoring/comparison-levels.js';
import {
  createUChunkCounter,
  estimateU,
  U_CHUNKS,
  type UCounts,
  type UEstimate,
  uFromCounts,
  type UOptions,
} from './u-estimation.js';

/**
 * u from random pairs on several threads: the chunks of u-estimation.ts shared out over worker
 * threads, so the estimate is exactly the one-thread `estimateU`'s, sooner (counting the pairs is
 * most of the time training takes). Each thread counts with a counter of its own, and so with a
 * value memo of its own: threads share no memory but the chunk claimed next.
 */

/** What a u-chunk worker is given (u-chunk-worker.ts). */
export interface UChunkWork {
  readonly records: readonly MatchRecord[];
  readonly comparisons: readonly ComparisonDefinition[];
  readonly options: UOptions;
  /** One Int32: the next chunk to count, shared by every thread (see {@link claimChunks}). */
  readonly next: SharedArrayBuffer;
  readonly of: number;
}

/** A chunk's counts, as a worker posts them. */
export interface UChunkCounts {
  readonly chunk: number;
  readonly counts: UCounts;
}

/**
 * Counts chunks until none is left, each thread claiming the next one as it finishes the last: a
 * worker thread starts late and runs cold code at first, so a fixed share would leave this thread
 * idle while it catches up. Which thread counts a chunk changes nothing: the counts are summed by
 * chunk.
 */
export function claimChunks(work: UChunkWork, each: (counts: UChunkCounts) => void): void {
  const next = new Int32Array(work.next);
  const counter = createUChunkCounter(work.records, work.comparisons, work.options);
  for (let chunk = Atomics.add(next, 0, 1); chunk < work.of; chunk = Atomics.add(next, 0, 1))
    each({ chunk, counts: counter.count(chunk, work.of) });
}

// Built, the worker is plain .js beside this module. Run from source (tsx, vitest), it is a .ts
// file, and a worker's entry does not go through the loader hooks of its parent: a small CommonJS
// bootstrap registers tsx's CommonJS loader in the thread, then requires it. tsx's ESM loader runs
// its hooks on a thread of their own, which makes loading the worker's modules, on every
// training's critical path, slower than through the CommonJS loader.
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

/** The chunks one worker thread counted, when it has run out of chunks to claim. */
function runChunks(work: UChunkWork): Promise<UChunkCounts[]> {
  return new Promise((resolve, reject) => {
    const worker = startWorker(work);
    let answered = false;
    worker.once('message', (counted: UChunkCounts[]) => {
      answered = true;
      resolve(counted);
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
 * With `onThisThread: false` every chunk is counted on worker threads (`threads` of them) and this
 * thread stays free for other work meanwhile: a service process estimating u in the background.
 */
export async function estimateUInParallel(
  records: readonly MatchRecord[],
  comparisons: readonly ComparisonDefinition[],
  options: UOptions & { readonly threads?: number; readonly onThisThread?: boolean },
): Promise<UEstimate> {
  const { threads: wanted, onThisThread = true, ...uOptions } = options;
  const threads = Math.max(1, Math.min(wanted ?? availableParallelism(), U_CHUNKS));
  if (threads === 1 && onThisThread) return estimateU(records, comparisons, uOptions);
  const work: UChunkWork = {
    records,
    comparisons,
    options: uOptions,
    next: new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT),
    of: U_CHUNKS,
  };
  // This thread counts too while the workers start: its code is already compiled, and one worker
  // fewer starts.
  const answers = Array.from({ length: onThisThread ? threads - 1 : threads }, () =>
    runChunks(work),
  );
  // Rejections are awaited below; until then they must not count as unhandled.
  for (const answer of answers) answer.catch(() => undefined);
  const counted: UChunkCounts[] = [];
  if (onThisThread) claimChunks(work, (chunk) => counted.push(chunk));
  counted.push(...(await Promise.all(answers)).flat());
  return uFromCounts(counted.sort((a, b) => a.chunk - b.chunk).map((c) => c.counts));
}
