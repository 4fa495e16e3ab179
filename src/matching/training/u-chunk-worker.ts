import { parentPort, workerData } from 'node:worker_threads';
import { claimChunks, type UChunkCounts, type UChunkWork } from './parallel-u.js';

/**
 * Worker thread of parallel-u.ts: claims and counts chunks of u pairs until none is left, then
 * answers once with what it counted.
 */
const { work } = workerData as { work: UChunkWork };
const counted: UChunkCounts[] = [];
claimChunks(work, (chunk) => counted.push(chunk));
parentPort?.postMessage(counted);
