import { appendChanges, splitChanges } from '../../changes/change-outbox.js';
import type { Graph } from '../../graph/graph-client.js';
import { newId } from '../../ids.js';
import { storedExplanation } from '../../matching/scoring/explanation.js';
import type { MatcherSource } from '../../matching/model/matcher-source.js';
import { parseRecordValues, type RecordMatcher } from '../../matching/record-matcher.js';
import { splitIfDisconnected } from '../person-split.js';
import { modelParameter } from '../plan-writer.js';
import { StaleResolutionError, withStaleRetries } from '../transaction-retry.js';

/**
 * Re-evaluating probabilistic links scored by another model version, on the two records each was
 * made from (records never change): a page of links is scored without a lock and the links the
 * model keeps are written in one transaction (write/rescore-links, which checks under the persons'
 * locks that each is still what was scored); a link the model withdraws, or one that changed
 * meanwhile, goes through {@link rescoreLink}, a transaction of its own with the link's person
 * locked, which splits the person when the link held it together.
 */

export interface LinkRescoringDeps {
  graph: Pick<Graph, 'writeTransaction'>;
  matchers?: Pick<MatcherSource, 'current'> | undefined;
  now: () => number;
}

/** A row of read/stale-links-page. */
export interface StaleLinkRow {
  id: string;
  modelVersion: string;
  /** Keys of the record pair the link was scored on. */
  pair: string[];
  /** Those records as [key, source, values], by key (fewer than two: a record is gone). */
  records: [string, string, string][];
}

/** What re-evaluating links did. */
export interface LinkRescoring {
  kept: number;
  withdrawn: number;
  /** Links that were no longer stale, probabilistic or active when locked. */
  skipped: number;
  personsSplit: number;
}

type LinkRow = [
  id: string,
  keep: boolean,
  confidence: number,
  explanation: string,
  auditId: string,
  versionRead: string,
  pairRead: readonly string[],
];

/**
 * The matcher rescoring scores a page with (the current one, kept for the page): a resolver without
 * one has nothing to rescore.
 */
export function rescoringMatcher(deps: {
  matchers?: Pick<MatcherSource, 'current'> | undefined;
}): RecordMatcher {
  if (!deps.matchers) throw new Error('resolver: rescoring needs a matcher');
  return deps.matchers.current();
}

/** The pair's score under the current model, and whether the model keeps a link on it. */
function scoreRecords(matcher: RecordMatcher, records: readonly [string, string, string][]) {
  const [a, b] = records.map(([key, source, values]) => parseRecordValues(key, source, values));
  const score = matcher.score(a!, b!);
  const { decision, held } = matcher.decide(
    score.probability,
    score.vector.map((c) => c.level),
  );
  return { score, held, keep: decision === 'link' };
}

function linkRow(
  id: string,
  scored: ReturnType<typeof scoreRecords>,
  versionRead: string,
  pairRead: readonly string[],
): LinkRow {
  const { score, keep, held } = scored;
  return [
    id,
    keep,
    score.probability,
    storedExplanation(score, held),
    newId('aud'),
    versionRead,
    pairRead,
  ];
}

/**
 * Re-evaluates a page of stale links: those the model keeps are written together, those it
 * withdraws (and any that changed before the write) one by one through {@link rescoreLink}.
 */
export async function rescoreLinks(
  deps: LinkRescoringDeps,
  page: readonly StaleLinkRow[],
): Promise<LinkRescoring> {
  const matcher = rescoringMatcher(deps);
  const result: LinkRescoring = { kept: 0, withdrawn: 0, skipped: 0, personsSplit: 0 };
  const kept: LinkRow[] = [];
  const alone: string[] = [];
  for (const link of page) {
    if (link.records.length !== 2 || link.modelVersion === matcher.model.version) {
      result.skipped += 1;
      continue;
    }
    const scored = scoreRecords(matcher, link.records);
    if (scored.keep) kept.push(linkRow(link.id, scored, link.modelVersion, link.pair));
    else alone.push(link.id);
  }
  if (kept.length > 0) {
    const written = await withStaleRetries(deps.graph, 'rescore-links', async (tx) => {
      const [answer] = await tx.run<{ written: string[] }>('write/rescore-links', {
        rows: kept,
        model: modelParameter(matcher.model),
        now: deps.now(),
      });
      return new Set(answer?.written ?? []);
    });
    result.kept += written.size;
    for (const [id] of kept) if (!written.has(id)) alone.push(id);
  }
  for (const id of alone) {
    const one = await rescoreLink(deps, id);
    if (one.outcome === 'skipped') result.skipped += 1;
    else if (one.outcome === 'kept') result.kept += 1;
    else result.withdrawn += 1;
    if (one.splitInto.length > 0) result.personsSplit += 1;
  }
  return result;
}

/**
 * Re-evaluates one probabilistic link scored by another model version, in a transaction of its
 * own with the link's person locked: kept with its new probability, or withdrawn (audited) when it
 * falls below the auto threshold, splitting the person when the link held it together.
 */
export async function rescoreLink(
  deps: LinkRescoringDeps,
  linkId: string,
): Promise<{ outcome: 'kept' | 'withdrawn' | 'skipped'; splitInto: string[] }> {
  const matcher = rescoringMatcher(deps);
  return withStaleRetries(deps.graph, 'rescore-link', async (tx) => {
    const [link] = await tx.run<{
      status: string;
      method: string;
      modelVersion: string | null;
      personId: string;
      personStatus: string;
      lockedPersonId: string | null;
      pair: string[];
      records: [string | null, string, string][];
    }>('write/lock-link', { linkId });
    const records = (link?.records ?? []).filter((r): r is [string, string, string] => !!r[0]);
    if (
      !link ||
      link.status !== 'active' ||
      link.method !== 'probabilistic' ||
      link.modelVersion === null ||
      link.modelVersion === matcher.model.version ||
      records.length !== 2
    )
      return { outcome: 'skipped' as const, splitInto: [] };
    // Found before its lock was taken: a split or merge may have moved the link since.
    if (link.personStatus !== 'active' || link.lockedPersonId !== link.personId)
      throw new StaleResolutionError();
    const scored = scoreRecords(matcher, records);
    const at = deps.now();
    await tx.run('write/rescore-links', {
      rows: [linkRow(linkId, scored, link.modelVersion, link.pair)],
      model: modelParameter(matcher.model),
      now: at,
    });
    if (scored.keep) return { outcome: 'kept' as const, splitInto: [] };
    const parts = await splitIfDisconnected(tx, {
      personId: link.personId,
      linkIds: [linkId],
      reason: 'link_withdrawn',
      now: at,
    });
    await appendChanges(
      tx,
      splitChanges(
        link.personId,
        parts.map((p) => ({ personId: p.personId, identifiers: p.identifierKeys.length })),
        at,
      ),
    );
    return { outcome: 'withdrawn' as const, splitInto: parts.map((p) => p.personId) };
  });
}
