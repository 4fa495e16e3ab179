import type { Graph } from '../../graph/graph-client.js';
import { newId } from '../../ids.js';
import { storedExplanation } from '../../matching/scoring/explanation.js';
import { parseRecordValues, type RecordMatcher } from '../../matching/record-matcher.js';
import { splitIfDisconnected } from '../person-split.js';
import { modelParameter } from '../plan-writer.js';
import { StaleResolutionError, withStaleRetries } from '../transaction-retry.js';

export interface LinkRescoringDeps {
  graph: Pick<Graph, 'writeTransaction'>;
  matcher?: RecordMatcher | undefined;
  now: () => number;
}

/**
 * Re-evaluates one probabilistic link scored by another model version, in a transaction of its
 * own with the link locked: kept with its new probability, or withdrawn (audited) when it falls
 * below the auto threshold, splitting the person when the link held it together.
 */
export async function rescoreLink(
  deps: LinkRescoringDeps,
  linkId: string,
): Promise<{ outcome: 'kept' | 'withdrawn' | 'skipped'; splitInto: string[] }> {
  const { matcher } = deps;
  if (!matcher) throw new Error('resolver: rescoring needs a matcher');
  return withStaleRetries(deps.graph, 'rescore-link', async (tx) => {
    const [link] = await tx.run<{
      status: string;
      method: string;
      modelVersion: string | null;
      personId: string;
      personStatus: string;
      records: [string | null, string, string][];
    }>('write/lock-link', { linkId });
    const records = (link?.records ?? []).filter((r) => r[0] !== null);
    if (
      !link ||
      link.status !== 'active' ||
      link.method !== 'probabilistic' ||
      link.modelVersion === matcher.model.version ||
      records.length !== 2
    )
      return { outcome: 'skipped' as const, splitInto: [] };
    if (link.personStatus !== 'active') throw new StaleResolutionError();
    const [a, b] = records.map(([key, source, values]) => parseRecordValues(key!, source, values));
    const score = matcher.score(a!, b!);
    const { decision, held } = matcher.decide(
      score.probability,
      score.vector.map((c) => c.level),
    );
    const keep = decision === 'link';
    const at = deps.now();
    await tx.run('write/rescore-link', {
      linkId,
      keep,
      confidence: score.probability,
      modelVersion: score.modelVersion,
      explanation: storedExplanation(score, held),
      model: modelParameter(matcher.model),
      now: at,
      personId: link.personId,
      auditId: newId('aud'),
    });
    if (keep) return { outcome: 'kept' as const, splitInto: [] };
    const parts = await splitIfDisconnected(tx, {
      personId: link.personId,
      linkId,
      reason: 'link_withdrawn',
      now: at,
    });
    return { outcome: 'withdrawn' as const, splitInto: parts.map((p) => p.personId) };
  });
}
