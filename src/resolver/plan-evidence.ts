import type { LinkMethod, LinkUpsert, PlanEvent, PlanMatch } from './resolution-plan.js';

/**
 * Evidence in a resolution plan: the orders events and matches are applied in, and how a piece
 * of evidence adds to its link (src/resolver/resolution-plan.ts).
 */

/** One piece of evidence for a link: an event's co-occurrence or a scored/decided record pair. */
export type Evidence = Pick<
  PlanMatch,
  | 'rule'
  | 'confidence'
  | 'source'
  | 'occurredAt'
  | 'eventKey'
  | 'purposes'
  | 'modelVersion'
  | 'explanation'
  | 'records'
> & { method: LinkMethod };

/** A link's method outranks another's: the strongest evidence names the link. */
export const METHOD_RANK: Readonly<Record<LinkMethod, number>> = {
  probabilistic: 0,
  deterministic: 1,
  manual: 2,
};

export function compareEvents(a: PlanEvent, b: PlanEvent): number {
  return a.occurredAt - b.occurredAt || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
}

const text = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Matches in evidence order (occurredAt, event key), then by pair and records. */
export function compareMatches(a: PlanMatch, b: PlanMatch): number {
  return (
    a.occurredAt - b.occurredAt ||
    text(a.eventKey, b.eventKey) ||
    text(a.fromKey, b.fromKey) ||
    text(a.toKey, b.toKey) ||
    text((a.records ?? []).join('\u0000'), (b.records ?? []).join('\u0000'))
  );
}

/**
 * Matches in the order a plan applies them: decided (manual) ones first, then by descending
 * probability, ties in evidence order ({@link compareMatches}). Where a limit or a no-match
 * decision lets only some of a record's matches join, the most probable one joins.
 */
export function compareByStrength(a: PlanMatch, b: PlanMatch): number {
  return (
    METHOD_RANK[b.method] - METHOD_RANK[a.method] ||
    b.confidence - a.confidence ||
    compareMatches(a, b)
  );
}

/** Per link of a plan, the probability of the match its explanation comes from. */
const explainedConfidence = new WeakMap<LinkUpsert, number>();

export function addEvidence(link: LinkUpsert, evidence: Evidence): void {
  // The strongest method names the link; the best-scored probabilistic evidence explains it,
  // whatever else joined the pair and in whichever order the evidence came.
  if (METHOD_RANK[evidence.method] > METHOD_RANK[link.method]) {
    link.method = evidence.method;
    link.rule = evidence.rule;
  }
  if (
    evidence.method === 'probabilistic' &&
    evidence.confidence >= (explainedConfidence.get(link) ?? -1)
  ) {
    explainedConfidence.set(link, evidence.confidence);
    link.modelVersion = evidence.modelVersion;
    link.explanation = evidence.explanation;
    link.records = evidence.records ? [...evidence.records] : null;
  }
  link.confidence = Math.max(link.confidence, evidence.confidence);
  if (!link.sources.includes(evidence.source)) link.sources.push(evidence.source);
  link.firstSeen = Math.min(link.firstSeen, evidence.occurredAt);
  link.lastSeen = Math.max(link.lastSeen, evidence.occurredAt);
  if (!link.eventKeys.includes(evidence.eventKey)) link.eventKeys.push(evidence.eventKey);
  for (const purpose of evidence.purposes)
    if (!link.purposes.includes(purpose)) link.purposes.push(purpose);
}
