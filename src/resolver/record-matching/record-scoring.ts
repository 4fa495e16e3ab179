import { newId } from '../../ids.js';
import type { MatchRecord } from '../../matching/records/normalize-attributes.js';
import { storedExplanation } from '../../matching/scoring/explanation.js';
import type { RecordMatcher } from '../../matching/record-matcher.js';
import type { MatchingOutcome } from '../batch-outcome.js';
import type { PlanMatch } from '../resolution-plan.js';

/**
 * Scoring records against their candidates, for ingestion (write/claim-records) and rescoring
 * (write/refile-records) alike: each pair once, at or above the auto threshold a probabilistic
 * match between the records' anchor identifiers, in the review band a review row. Pure apart from
 * the ids it draws.
 */

export const PROBABILISTIC_RULE = 'fellegi_sunter';

/** A candidate record, as scoring needs it. */
export interface Candidate {
  /** Record id (never reused, so safe as a cache key). */
  readonly id: string;
  readonly key: string;
  readonly record: MatchRecord;
  readonly anchorKey: string;
  /**
   * Consent purposes, when already known (records of the same batch, rescoring). Ingestion reads
   * those of candidates outside the batch only when they match (read/candidate-anchors): consent can
   * change, the cached values cannot.
   */
  readonly purposes?: readonly string[];
  /** Rescoring: the anchor's person (a pair already in one person needs nothing). */
  readonly personId?: string | null;
}

/** A review item to create: [key, id, left record, right record, p, weight, model, explanation, event]. */
export type ReviewRow = [string, string, string, string, number, number, string, string, string];

/** A match waiting for its candidate's anchor, or purposes (then `mine`: the matching record's). */
interface PendingMatch {
  match: PlanMatch;
  mine: readonly string[] | null;
}

/** What scoring a batch's (or a rescore page's) records accumulates. */
export interface Scoring {
  matches: PlanMatch[];
  reviews: ReviewRow[];
  unchecked: Set<string>;
  /**
   * Of the `unchecked` anchors, those whose identity_linking consent read/candidate-anchors found
   * denied: matches with them are not linked (the plan writer checks again under the locks).
   */
  denied: Set<string>;
  /**
   * Matched candidates whose anchor or purposes are not known yet, by record id, with the matches
   * waiting for them: read/candidate-anchors completes them.
   */
  pending: Map<string, PendingMatch[]>;
  scoredPairs: Set<string>;
  /**
   * Ids of the candidates whose pairs can come back from both sides (ingestion: the batch's own
   * records, each one the other's candidate); a pair with any other candidate is scored once by
   * construction and needs no entry in `scoredPairs`. Absent: every pair is checked.
   */
  bothSides?: ReadonlySet<string>;
  elementIdOf: Map<string, string>;
  personOf: Map<string, string | null>;
  matching: MatchingOutcome;
  /** Rescoring: a pair already in one person needs nothing. */
  skipSamePerson?: boolean;
}

const intersect = (a: readonly string[], b: readonly string[]) => a.filter((x) => b.includes(x));

/**
 * Scores one record against its candidates: at or above the auto threshold a probabilistic match
 * (its anchor's person joins the maps, unchecked), in the review band a review item.
 */
export function scoreCandidates(
  matcher: RecordMatcher,
  mine: {
    key: string;
    record: MatchRecord;
    anchorKey: string;
    source: string;
    occurredAt: number;
    purposes: readonly string[];
  },
  found: number,
  candidates: readonly Candidate[],
  s: Scoring,
): void {
  s.matching.candidates += found;
  if (found > matcher.maxCandidates) s.matching.capped += 1;
  for (const c of candidates) {
    const { anchorKey, personId = null } = c;
    const mineFirst = mine.key < c.key;
    const left = mineFirst ? mine.key : c.key;
    const right = mineFirst ? c.key : mine.key;
    // A pair of two records of this batch comes back from both sides: score it once. The length
    // prefix keeps two pairs apart whatever characters their keys hold. Other pairs come once.
    if (s.bothSides === undefined || s.bothSides.has(c.id)) {
      const seen = `${left.length}:${left}${right}`;
      if (s.scoredPairs.has(seen)) continue;
      s.scoredPairs.add(seen);
    }
    if (anchorKey === mine.anchorKey) continue;
    if (s.skipSamePerson && personId !== null && personId === s.personOf.get(mine.anchorKey))
      continue;
    const weighed = matcher.weigh(mine.record, c.record);
    s.matching.scored += 1;
    if (weighed === undefined) continue;
    const { decision, held } = matcher.decide(weighed.probability, weighed.vector);
    if (decision === 'none') continue;
    // JSON: the review's key in the graph, the form stored reviews are found by.
    const pair = JSON.stringify([left, right]);
    const score = matcher.explain(mine.record, c.record, weighed.vector);
    const explanation = storedExplanation(score, held);
    if (decision === 'review') {
      // Records already in one person (another link joined them) need no one's decision.
      if (personId !== null && personId === s.personOf.get(mine.anchorKey)) continue;
      s.matching.reviews += 1;
      if (held) s.matching.identityHeld += 1;
      s.reviews.push([
        pair,
        newId('rev'),
        left,
        right,
        score.probability,
        score.matchWeight,
        score.modelVersion,
        explanation,
        mine.key,
      ]);
      continue;
    }
    s.matching.matched += 1;
    const match: PlanMatch = {
      fromKey: mine.anchorKey,
      toKey: anchorKey,
      method: 'probabilistic',
      rule: PROBABILISTIC_RULE,
      confidence: score.probability,
      source: mine.source,
      occurredAt: mine.occurredAt,
      eventKey: mine.key,
      // Linking two records may use only what both records' consent grants.
      purposes: c.purposes ? intersect(mine.purposes, c.purposes) : [],
      modelVersion: score.modelVersion,
      explanation,
      records: [left, right],
    };
    s.matches.push(match);
    if (c.purposes && s.elementIdOf.has(anchorKey)) continue;
    const waiting = s.pending.get(c.id) ?? [];
    waiting.push({ match, mine: c.purposes ? null : mine.purposes });
    s.pending.set(c.id, waiting);
  }
}

/**
 * Completes the pending matches with what read/candidate-anchors read of their candidates: purposes
 * (intersected with the matching record's) and anchors not yet known, marked unchecked (their
 * persons were read without a lock; write/lock-persons reads them again under one).
 */
export function completePending(s: Scoring, rows: readonly AnchorRow[]): void {
  for (const { id, purposes, key, elementId, personId, linkingDenied } of rows) {
    if (personId === null) throw new Error('resolver: a committed identifier has no person');
    for (const { match, mine } of s.pending.get(id) ?? [])
      if (mine !== null) match.purposes = intersect(mine, purposes);
    if (!s.elementIdOf.has(key)) {
      s.elementIdOf.set(key, elementId);
      s.personOf.set(key, personId);
      s.unchecked.add(key);
      if (linkingDenied) s.denied.add(key);
    }
  }
}

/**
 * A row of read/candidate-anchors: a matched candidate record, its purposes and its anchor, with
 * whether the anchor's identity_linking consent is denied.
 */
export interface AnchorRow {
  id: string;
  purposes: string[];
  key: string;
  elementId: string;
  personId: string | null;
  linkingDenied: boolean;
}
