import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/cli-program.js';
import {
  type RescoreSnapshot,
  rescoreEstimate,
  rescoreProgressLine,
} from '../../src/cli/rescore-progress.js';
import { formatRescoreSummary } from '../../src/cli/rescore-summary.js';
import type { RescoreReport } from '../../src/resolver/rescoring/rescore.js';

/** `idgraph model rescore`'s progress and summary. */

const snapshot = (overrides: Partial<RescoreSnapshot> = {}): RescoreSnapshot => ({
  phase: 'records',
  linksDone: 3_000,
  linksTotal: 3_000,
  linksMs: 2_000,
  recordsDone: 10_000,
  recordsTotal: 50_000,
  recordsMs: 5_000,
  ...overrides,
});

describe('rescore progress', () => {
  it('estimates the rest of the records at the rate so far', () => {
    expect(rescoreEstimate(snapshot())).toEqual({
      linksPerSecond: 1_500,
      recordsPerSecond: 2_000,
      etaMs: 20_000,
    });
    expect(rescoreProgressLine(snapshot())).toBe(
      'rescore: links 3,000 of 3,000 (1,500/s) | records 10,000 of 50,000 (2,000/s) | ETA 20.0 s',
    );
  });

  it('during the links, gives their ETA and says the records come next', () => {
    const links = snapshot({ phase: 'links', linksDone: 1_000, recordsDone: 0, recordsMs: 0 });
    expect(rescoreEstimate(links).etaMs).toBe(4_000);
    expect(rescoreProgressLine(links)).toBe(
      'rescore: links 1,000 of 3,000 (500/s) | records 50,000 next | ETA 4.0 s for the links',
    );
  });

  it('has no ETA before anything is done, and none left once past the total', () => {
    expect(
      rescoreProgressLine(snapshot({ phase: 'links', linksDone: 0, linksMs: 0, recordsDone: 0 })),
    ).toMatch(/ETA -- for the links$/);
    // Records ingested during the rescore are scored too: the count can pass the total.
    expect(rescoreEstimate(snapshot({ recordsDone: 50_100 })).etaMs).toBe(0);
  });
});

describe('rescore summary', () => {
  const report: RescoreReport = {
    modelVersion: 'person-v2',
    linksTotal: 31,
    recordsTotal: 228,
    linksChecked: 31,
    linksKept: 30,
    linksWithdrawn: 1,
    personsSplit: 1,
    recordsScored: 228,
    recordsRefiled: 0,
    pairsScored: 412,
    pairsLinked: 2,
    reviewsQueued: 3,
    merges: 2,
    refusals: 0,
    linksMs: 250,
    recordsMs: 1_140,
    elapsedMs: 1_400,
  };

  it('says what changed and how fast each pass went', () => {
    expect(formatRescoreSummary(report)).toBe(
      [
        'model person-v2',
        'links of older versions: 31 checked, 30 kept, 1 withdrawn (1 persons split)',
        'records: 228 scored, 412 pairs, 2 linked, 3 sent to review',
        'persons merged: 2, joins refused: 0',
        'elapsed: 1.4 s (links 250 ms, 124/s; records 1.1 s, 200/s)',
        '',
      ].join('\n'),
    );
  });

  it('counts the records filed again when the blocking keys changed', () => {
    expect(formatRescoreSummary({ ...report, recordsRefiled: 228 })).toContain(
      '\nblocking keys: 228 records filed again under the current rules\n',
    );
  });

  it('refuses a concurrency of 0 before connecting', async () => {
    let stderr = '';
    const code = await runCli(['model', 'rescore', '--concurrency', '0'], {
      stdout: { write: () => true },
      stderr: { write: (s: string) => (stderr += s) },
      env: { NEO4J_URI: 'bolt://127.0.0.1:9' },
    });
    expect(code).toBe(2);
    expect(stderr).toMatch(/--concurrency/);
  });
});
