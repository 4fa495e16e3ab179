import type { Graph } from '../../graph/graph-client.js';
import type { Logger } from '../../logger.js';
import type { ResolverService } from '../resolver-service.js';
import type { RecordsPageRow } from './rescore-records.js';

/**
 * `idgraph model rescore`: brings the graph in line with the current model.
 *
 * 1. Every active probabilistic link scored by another model version is scored again on the records
 *    it was made from: kept with its new probability, or withdrawn (audited) when below the auto
 *    threshold, and its person split when the link held it together.
 * 2. Every record is re-filed under the current blocking rules and scored against its candidates:
 *    pairs the model now links are joined (merges audited), pairs in the review band queued.
 *
 * Both passes walk the graph in pages of their own transactions, so rescoring runs next to live
 * ingestion (the same locks order it) and can be interrupted and run again: it only changes what
 * the current model disagrees with.
 */

export interface RescoreReport {
  modelVersion: string;
  linksChecked: number;
  linksKept: number;
  linksWithdrawn: number;
  personsSplit: number;
  recordsScored: number;
  pairsScored: number;
  pairsLinked: number;
  reviewsQueued: number;
  merges: number;
  refusals: number;
}

export async function rescore(
  deps: {
    graph: Pick<Graph, 'query'>;
    resolver: Pick<ResolverService, 'rescoreLink' | 'rescoreRecords'>;
    modelVersion: string;
    logger: Logger;
  },
  options: { pageSize?: number; onProgress?: (report: RescoreReport) => void } = {},
): Promise<RescoreReport> {
  const pageSize = options.pageSize ?? 200;
  const report: RescoreReport = {
    modelVersion: deps.modelVersion,
    linksChecked: 0,
    linksKept: 0,
    linksWithdrawn: 0,
    personsSplit: 0,
    recordsScored: 0,
    pairsScored: 0,
    pairsLinked: 0,
    reviewsQueued: 0,
    merges: 0,
    refusals: 0,
  };

  for (let after = ''; ;) {
    const page = await deps.graph.query<{ id: string }>('read/stale-links-page', {
      version: deps.modelVersion,
      after,
      limit: pageSize,
    });
    if (page.length === 0) break;
    for (const { id } of page) {
      const result = await deps.resolver.rescoreLink(id);
      if (result.outcome === 'skipped') continue;
      report.linksChecked += 1;
      if (result.outcome === 'kept') report.linksKept += 1;
      else report.linksWithdrawn += 1;
      if (result.splitInto.length > 0) report.personsSplit += 1;
    }
    after = page.at(-1)!.id;
    options.onProgress?.(report);
  }

  for (let after = ''; ;) {
    const page = await deps.graph.query<RecordsPageRow>('read/records-page', {
      after,
      limit: pageSize,
    });
    if (page.length === 0) break;
    const result = await deps.resolver.rescoreRecords(page);
    report.recordsScored += page.length;
    report.pairsScored += result.matching.scored;
    report.pairsLinked += result.matching.matched;
    report.reviewsQueued += result.matching.reviews;
    report.merges += result.merges;
    report.refusals += result.refusals;
    after = page.at(-1)!.key;
    options.onProgress?.(report);
  }
  deps.logger.info({ ...report }, 'rescore finished');
  return report;
}
