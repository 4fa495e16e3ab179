import type { BestPair, Reason, ShownIdentifier, Side } from './explain-types.js';

/**
 * Why two identifiers are not one person: every reason that applies, from what read/explain-sides
 * and read/explain-between found and the best record pair scored now. Pure, so the rules below are
 * read in one place:
 *
 * - an unknown identifier is `suppressed` when its keyed hash is on the suppression list (it was
 *   erased), else `no_evidence` for its side; nothing else can be said about a pair with one;
 * - `consent_withheld` for each identifier denied identity_linking: the two asked, and the ends of
 *   links between the persons;
 * - a refused link between the persons, or a merge_refused audit record naming a person of each
 *   side, is `merge_refused` (with the audit record's limit and identifier type when there is one);
 *   a withdrawn link is `withdrawn`, with the reason of its link_withdrawn record;
 * - a no-match constraint is `no_match_decision`; a keep-apart constraint or a manual_split audit
 *   record naming a person of each side is `split_off`;
 * - a pending review about a record of each is `review_pending`;
 * - the best record pair is `below_threshold` when the active matcher would not link it now, and
 *   `not_compared` when it would but nothing else stands between the persons (no link, constraint
 *   or review): the resolver never scored it (blocking keys differ, a block was too common, or the
 *   model changed since);
 * - `no_evidence` when no link of any status joins the persons and they have no record pair to score.
 */

export interface SideRow {
  known: boolean;
  type: string | null;
  value: string | null;
  personId: string | null;
  mergedIds: string[];
  linkingDenied: boolean;
  suppressed: boolean;
}

export interface BetweenRow {
  links: {
    id: string;
    status: string;
    method: string;
    rule: string;
    confidence: number;
    aType: string;
    aValue: string;
    bType: string;
    bValue: string;
    aDenied: boolean;
    bDenied: boolean;
  }[];
  constraints: {
    id: string;
    kind: string;
    reviewId: string | null;
    auditId: string | null;
  }[];
  reviews: { id: string; probability: number; modelVersion: string | null }[];
  audits: {
    id: string;
    kind: string;
    linkId?: string | null;
    reason?: string | null;
    identifierType?: string | null;
    limit?: number | null;
    method?: string | null;
    rule?: string | null;
    confidence?: number | null;
  }[];
}

type Show = (type: string, value: string) => ShownIdentifier;
type Audit = BetweenRow['audits'][number];

const SIDES: readonly Side[] = ['a', 'b'];

/** Reasons about a pair with an unknown identifier on one side or both. */
export function unknownReasons(sides: readonly SideRow[], show: Show): Reason[] {
  const reasons: Reason[] = [];
  sides.forEach((s, n) => {
    const side = SIDES[n]!;
    if (!s.known)
      reasons.push(s.suppressed ? { code: 'suppressed', side } : { code: 'no_evidence', side });
  });
  sides.forEach((s, n) => {
    if (s.known && s.linkingDenied)
      reasons.push(consentReason(SIDES[n]!, show(s.type!, s.value!), null));
  });
  return reasons;
}

const consentReason = (side: Side, identifier: ShownIdentifier, linkId: string | null): Reason => ({
  code: 'consent_withheld',
  side,
  purpose: 'identity_linking',
  identifier,
  linkId,
});

function consentReasons(sides: readonly SideRow[], between: BetweenRow, show: Show): Reason[] {
  const seen = new Set<string>();
  const reasons: Reason[] = [];
  const add = (side: Side, type: string, value: string, linkId: string | null) => {
    const key = `${side}\u0000${type}\u0000${value}`;
    if (seen.has(key)) return;
    seen.add(key);
    reasons.push(consentReason(side, show(type, value), linkId));
  };
  sides.forEach((s, n) => s.linkingDenied && add(SIDES[n]!, s.type!, s.value!, null));
  for (const l of between.links) {
    if (l.aDenied) add('a', l.aType, l.aValue, l.id);
    if (l.bDenied) add('b', l.bType, l.bValue, l.id);
  }
  return reasons;
}

const refusal = (
  audit: Audit | undefined,
  linkId: string | null,
  link?: BetweenRow['links'][number],
): Reason => ({
  code: 'merge_refused',
  auditId: audit?.id ?? null,
  linkId,
  reason: audit?.reason ?? null,
  identifierType: audit?.identifierType ?? null,
  limit: audit?.limit ?? null,
  method: link?.method ?? audit?.method ?? null,
  rule: link?.rule ?? audit?.rule ?? null,
  confidence: link?.confidence ?? audit?.confidence ?? null,
});

function linkReasons(between: BetweenRow): Reason[] {
  const reasons: Reason[] = [];
  const used = new Set<string>();
  const auditOf = (kind: string, linkId: string) => {
    const audit = between.audits.find((a) => a.kind === kind && a.linkId === linkId);
    if (audit) used.add(audit.id);
    return audit;
  };
  for (const l of between.links) {
    if (l.status === 'refused') reasons.push(refusal(auditOf('merge_refused', l.id), l.id, l));
    else if (l.status === 'withdrawn') {
      const audit = auditOf('link_withdrawn', l.id);
      reasons.push({
        code: 'withdrawn',
        linkId: l.id,
        auditId: audit?.id ?? null,
        reason: audit?.reason ?? null,
        method: l.method,
        rule: l.rule,
        confidence: l.confidence,
      });
    }
  }
  for (const audit of between.audits)
    if (audit.kind === 'merge_refused' && !used.has(audit.id))
      reasons.push(refusal(audit, audit.linkId ?? null));
  return reasons;
}

function constraintReasons(between: BetweenRow): Reason[] {
  const reasons: Reason[] = [];
  const splits = new Set<string>();
  for (const c of between.constraints) {
    if (c.kind === 'keep_apart') {
      if (c.auditId) splits.add(c.auditId);
      reasons.push({ code: 'split_off', auditId: c.auditId, constraintId: c.id });
    } else reasons.push({ code: 'no_match_decision', constraintId: c.id, reviewId: c.reviewId });
  }
  for (const audit of between.audits)
    if (audit.kind === 'manual_split' && !splits.has(audit.id))
      reasons.push({ code: 'split_off', auditId: audit.id, constraintId: null });
  return reasons;
}

/** Every reason two known identifiers of different persons are apart. */
export function apartReasons(
  sides: readonly SideRow[],
  between: BetweenRow,
  best: BestPair | undefined,
  show: Show,
): Reason[] {
  const reasons: Reason[] = [
    ...linkReasons(between),
    ...constraintReasons(between),
    ...between.reviews.map((r): Reason => ({
      code: 'review_pending',
      reviewId: r.id,
      probability: r.probability,
      modelVersion: r.modelVersion,
    })),
    ...consentReasons(sides, between, show),
  ];
  const standing =
    between.links.length > 0 || between.constraints.length > 0 || between.reviews.length > 0;
  if (best && best.decision !== 'link') reasons.push({ code: 'below_threshold', ...best });
  else if (best && !standing) reasons.push({ code: 'not_compared', ...best });
  if (!best && between.links.length === 0) reasons.push({ code: 'no_evidence' });
  return reasons;
}
