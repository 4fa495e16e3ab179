import { parentPort, workerData } from 'node:worker_threads';
import { countUChunk } from './em-training.js';
import type { UChunkWork } from './parallel-u.js';

/** Worker thread of src/matching/parallel-u.ts: counts its chunks of u pairs and answers once. */
const { work } = workerData as { work: UChunkWork };
parentPort?.postMessage(
  work.chunks.map((chunk) =>
    countUChunk(work.records, work.comparisons, work.options, chunk, work.of),
  ),
);
