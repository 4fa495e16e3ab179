// CI: the built package's u worker thread (dist/matching/training/u-chunk-worker.js) loads and counts.
// The tests run from source, where parallel-u starts the worker through tsx; `idgraph model train`
// and the Docker image run dist/, where the worker is plain JS beside parallel-u.js. This checks
// that path: u on two threads from dist/ equals u on one.
//
//   npm run build && node scripts/check-built-u-worker.mjs
import { dateComparison, nameComparison } from '../dist/matching/scoring/comparison-presets.js';
import { estimateU } from '../dist/matching/training/u-estimation.js';
import { estimateUInParallel } from '../dist/matching/training/parallel-u.js';

const names = ['anna', 'anne', 'john', 'jon', 'maria', 'mario', 'peter', 'pieter', 'zoe'];
const records = Array.from({ length: 3000 }, (_, i) => ({
  id: `r${i}`,
  values: {
    firstName: names[i % names.length],
    dateOfBirth: `19${50 + (i % 47)}-0${1 + (i % 9)}-1${i % 10}`,
  },
}));
const comparisons = [nameComparison('firstName'), dateComparison('dateOfBirth')];
// Enough pairs that the worker thread is most likely up before this thread has claimed every
// chunk; if not, it still has to load and answer, which is what this checks.
const options = { mode: 'dedupe', maxPairs: 1_000_000, seed: 4 };
const alone = estimateU(records, comparisons, options);
const shared = await estimateUInParallel(records, comparisons, { ...options, threads: 2 });
if (JSON.stringify(alone) !== JSON.stringify(shared)) {
  console.error('built u worker: two threads gave another estimate than one');
  process.exit(1);
}
console.log(`built u worker: two threads give one thread's estimate (${shared.pairs} pairs)`);
