import type { Graph } from '../../graph/graph-client.js';
import type { Logger } from '../../logger.js';
import type { ResolverService } from '../resolver-service.js';
import type { StaleLinkRow } from './rescore-link.js';
import type { RecordsPageRow } from './rescore-records.js';

/**
 * `idgraph model rescore`: brings the graph in line with the current model.
 *
 * 1. Every active probabilistic link scored by another model version is scored again on the records
 *    it was made from: kept with its new probability, or withdrawn (audited) when below the auto
 *    threshold, and its person split when the link held it together.
 * 2. Every record is filed under the current blocking rules (again only where its keys change) and
 *    scored against its candidates: pairs the model now links are joined (merges audited), pairs in
 *    the review band queued.
 *
 * Both passes walk the graph in pages of their own transactions, several pages in flight at once,
 * so rescoring keeps the database and this process busy the way concurrent batches do. It runs next
 * to live ingestion (the same locks and the matching clock order it) and can be interrupted and run
 * again: it only changes what the current model disagrees with.
 */

export interface RescoreReport {
  modelVersion: string;
  /** Stale links and records when the rescore began (what progress is measured against). */
  linksTotal: number;
  recordsTotal: number;
  linksChecked: number;
  linksKept: number;
  linksWithdrawn: number;
  personsSplit: number;
  recordsScored: number;
  /** Records filed again because the current rules give them other blocking keys. */
  recordsRefiled: number;
  pairsScored: number;
  pairsLinked: number;
  reviewsQueued: number;
  merges: number;
  refusals: number;
  /** Wall time of each pass and of the whole rescore. */
  linksMs: number;
  recordsMs: number;
  elapsedMs: number;
}

/** Where a rescore is: the pass it is in, how long that pass has run, and the counts so far. */
export interface RescoreProgress {
  phase: 'links' | 'records';
  phaseMs: number;
  report: Readonly<RescoreReport>;
}

export interface RescoreOptions {
  /** Links or records per transaction. */
  pageSize?: number;
  /** Pages in flight at once. */
  concurrency?: number;
  /** Called as each pass begins and after every page; a throw stops the rescore. */
  onProgress?: (progress: RescoreProgress) => void;
}

export const RESCORE_PAGE_SIZE = 1000;
export const RESCORE_CONCURRENCY = 4;

export async function rescore(
  deps: {
    graph: Pick<Graph, 'query'>;
    resolver: Pick<ResolverService, 'rescoreLinks' | 'fileRecordsPage' | 'rescoreRecordsPage'>;
    modelVersion: string;
    logger: Logger;
  },
  options: RescoreOptions = {},
): Promise<RescoreReport> {
  const { graph, resolver, modelVersion: version } = deps;
  const pageSize = options.pageSize ?? RESCORE_PAGE_SIZE;
  const concurrency = options.concurrency ?? RESCORE_CONCURRENCY;
  const [totals] = await graph.query<{ records: number; links: number }>('read/rescore-totals', {
    version,
  });
  const report: RescoreReport = {
    modelVersion: version,
    linksTotal: totals?.links ?? 0,
    recordsTotal: totals?.records ?? 0,
    linksChecked: 0,
    linksKept: 0,
    linksWithdrawn: 0,
    personsSplit: 0,
    recordsScored: 0,
    recordsRefiled: 0,
    pairsScored: 0,
    pairsLinked: 0,
    reviewsQueued: 0,
    merges: 0,
    refusals: 0,
    linksMs: 0,
    recordsMs: 0,
    elapsedMs: 0,
  };
  const started = performance.now();
  const progress = (phase: RescoreProgress['phase'], phaseStarted: number) =>
    options.onProgress?.({ phase, phaseMs: performance.now() - phaseStarted, report });

  const linksStarted = performance.now();
  progress('links', linksStarted);
  await inPages(
    concurrency,
    (after) =>
      graph.query<StaleLinkRow>('read/stale-links-page', { version, after, limit: pageSize }),
    (page) => async () => {
      const result = await resolver.rescoreLinks(page);
      report.linksChecked += result.kept + result.withdrawn;
      report.linksKept += result.kept;
      report.linksWithdrawn += result.withdrawn;
      report.personsSplit += result.personsSplit;
      progress('links', linksStarted);
    },
  );
  report.linksMs = performance.now() - linksStarted;

  const recordsStarted = performance.now();
  progress('records', recordsStarted);
  await inPages(
    concurrency,
    (after) => graph.query<RecordsPageRow>('read/rescore-records-page', { after, limit: pageSize }),
    // Filed in page order, before the page is scored: a page scores its records against
    // candidates of smaller id only once every one of them is filed under the current rules.
    async (rows) => {
      const page = await resolver.fileRecordsPage(rows);
      report.recordsRefiled += page.refiled;
      return async () => {
        const result = await resolver.rescoreRecordsPage(page);
        report.recordsScored += rows.length;
        report.pairsScored += result.matching.scored;
        report.pairsLinked += result.matching.matched - result.matching.consentDenied;
        report.reviewsQueued += result.matching.reviews;
        report.merges += result.merges;
        report.refusals += result.refusals;
        progress('records', recordsStarted);
      };
    },
  );
  report.recordsMs = performance.now() - recordsStarted;
  report.elapsedMs = performance.now() - started;
  deps.logger.info({ ...report }, 'rescore finished');
  return report;
}

/**
 * Walks pages of rows in `after` order (`read` gives the page after a row's id): `prepare` runs on
 * each page in order and gives the task that handles it; at most `limit` tasks run at once (the
 * walk waits for room). The first task that fails stops the walk; every task started has settled
 * before this returns or throws, so no transaction outlives the rescore.
 */
async function inPages<Row extends { id: string }>(
  limit: number,
  read: (after: string) => Promise<Row[]>,
  prepare: (rows: Row[]) => (() => Promise<void>) | Promise<() => Promise<void>>,
): Promise<void> {
  const running = new Set<Promise<void>>();
  let failure: { error: unknown } | undefined;
  try {
    for (let after = ''; ;) {
      const rows = await read(after);
      if (rows.length === 0) break;
      after = rows.at(-1)!.id;
      const task = await prepare(rows);
      while (running.size >= limit) await Promise.race(running);
      if (failure) break;
      const run: Promise<void> = task()
        .catch((error: unknown) => {
          failure ??= { error };
        })
        .finally(() => running.delete(run));
      running.add(run);
    }
  } finally {
    await Promise.all(running);
  }
  if (failure) throw failure.error;
}
