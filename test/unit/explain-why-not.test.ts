import { describe, expect, it } from 'vitest';
import type { BestPair, ShownIdentifier } from '../../src/explain/explain-types.js';
import {
  apartReasons,
  type BetweenRow,
  type SideRow,
  unknownReasons,
} from '../../src/explain/why-not.js';

const withValues = (type: string, value: string): ShownIdentifier => ({ type, value });
const typesOnly = (type: string): ShownIdentifier => ({ type });

const side = (value: string, more: Partial<SideRow> = {}): SideRow => ({
  known: true,
  type: 'email',
  value,
  personId: `per_${value}`,
  mergedIds: [],
  linkingDenied: false,
  suppressed: false,
  ...more,
});
const sides = [side('a@x.example'), side('b@x.example')];
const nothing: BetweenRow = { links: [], constraints: [], reviews: [], audits: [] };

const pair = (decision: BestPair['decision']): BestPair => ({
  recordIds: ['rec_a', 'rec_b'],
  modelVersion: 'v1',
  probability: decision === 'link' ? 0.9999 : 0.2,
  matchWeight: decision === 'link' ? 13 : -2,
  priorWeight: -13,
  comparisons: [],
  decision,
  autoThreshold: 0.999,
  reviewThreshold: 0.05,
  pairsScored: 1,
});

const link = (status: string, more: Partial<BetweenRow['links'][number]> = {}) => ({
  id: `lnk_${status}`,
  status,
  method: 'deterministic',
  rule: 'same_event',
  confidence: 1,
  aType: 'email',
  aValue: 'a@x.example',
  bType: 'email',
  bValue: 'b@x.example',
  aDenied: false,
  bDenied: false,
  ...more,
});

const codes = (reasons: { code: string }[]) => reasons.map((r) => r.code);

describe('why not: the rules', () => {
  it('an unknown identifier: suppressed when its hash is listed, else no_evidence, by side', () => {
    expect(
      unknownReasons(
        [side('a', { known: false, suppressed: true }), side('b', { known: false })],
        withValues,
      ),
    ).toEqual([
      { code: 'suppressed', side: 'a' },
      { code: 'no_evidence', side: 'b' },
    ]);
  });

  it('no_evidence only without any link and without a record pair', () => {
    expect(apartReasons(sides, nothing, undefined, withValues)).toEqual([{ code: 'no_evidence' }]);
    expect(
      codes(apartReasons(sides, { ...nothing, links: [link('refused')] }, undefined, withValues)),
    ).toEqual(['merge_refused']);
  });

  it('the best pair: below_threshold unless linked now; not_compared only when nothing else stands between', () => {
    expect(codes(apartReasons(sides, nothing, pair('review'), withValues))).toEqual([
      'below_threshold',
    ]);
    expect(codes(apartReasons(sides, nothing, pair('link'), withValues))).toEqual(['not_compared']);
    const review = { id: 'rev_1', probability: 0.4, modelVersion: 'v1' };
    expect(
      codes(apartReasons(sides, { ...nothing, reviews: [review] }, pair('link'), withValues)),
    ).toEqual(['review_pending']);
  });

  it('a refusal is reported once, with the audit record of its link; other refusal records too', () => {
    const between: BetweenRow = {
      ...nothing,
      links: [link('refused')],
      audits: [
        {
          id: 'aud_1',
          kind: 'merge_refused',
          linkId: 'lnk_refused',
          reason: 'limit_exceeded',
          identifierType: 'user_id',
          limit: 1,
        },
        { id: 'aud_2', kind: 'merge_refused', linkId: 'lnk_gone', reason: 'no_match_decision' },
      ],
    };
    const reasons = apartReasons(sides, between, undefined, withValues);
    expect(reasons).toEqual([
      expect.objectContaining({
        code: 'merge_refused',
        auditId: 'aud_1',
        linkId: 'lnk_refused',
        limit: 1,
      }),
      expect.objectContaining({ code: 'merge_refused', auditId: 'aud_2', linkId: 'lnk_gone' }),
    ]);
  });

  it('a keep-apart constraint and its manual_split record are one split_off; a no-match constraint is no_match_decision', () => {
    const between: BetweenRow = {
      ...nothing,
      constraints: [
        { id: 'con_1', kind: 'keep_apart', reviewId: null, auditId: 'aud_split' },
        { id: 'con_2', kind: 'no_match', reviewId: 'rev_9', auditId: null },
      ],
      audits: [
        { id: 'aud_split', kind: 'manual_split' },
        { id: 'aud_other', kind: 'manual_split' },
      ],
    };
    expect(apartReasons(sides, between, undefined, withValues)).toEqual([
      { code: 'split_off', auditId: 'aud_split', constraintId: 'con_1' },
      { code: 'no_match_decision', constraintId: 'con_2', reviewId: 'rev_9' },
      { code: 'split_off', auditId: 'aud_other', constraintId: null },
      { code: 'no_evidence' },
    ]);
  });

  it('consent_withheld once per identifier, shown as the caller may see it', () => {
    const denied = [side('a@x.example', { linkingDenied: true }), sides[1]!];
    const between = { ...nothing, links: [link('withdrawn', { aDenied: true, bDenied: true })] };
    const reasons = apartReasons(denied, between, undefined, typesOnly);
    expect(reasons.filter((r) => r.code === 'consent_withheld')).toEqual([
      {
        code: 'consent_withheld',
        side: 'a',
        purpose: 'identity_linking',
        identifier: { type: 'email' },
        linkId: null,
      },
      {
        code: 'consent_withheld',
        side: 'b',
        purpose: 'identity_linking',
        identifier: { type: 'email' },
        linkId: 'lnk_withdrawn',
      },
    ]);
    expect(codes(reasons)).toContain('withdrawn');
  });
});
