import { describe, expect, it } from 'vitest';
import { createRecordMatcher } from '../../src/matching/record-matcher.js';
import { normalizeRecord } from '../../src/matching/records/normalize-attributes.js';
import { linkComponents } from '../../src/resolver/person-split.js';
import {
  type PlanMatch,
  type PlanPerson,
  planResolution,
} from '../../src/resolver/resolution-plan.js';

/** Probabilistic and manual evidence in the pure plan, no-match constraints, and splitting. */

const match = (from: string, to: string, extra: Partial<PlanMatch> = {}): PlanMatch => ({
  fromKey: from,
  toKey: to,
  method: 'probabilistic',
  rule: 'fellegi_sunter',
  confidence: 0.97,
  source: 'shop',
  occurredAt: 5,
  eventKey: 'shop/1',
  purposes: ['analytics'],
  modelVersion: 'm1',
  explanation: '{"probability":0.97}',
  records: ['crm/1', 'shop/1'],
  ...extra,
});

const person = (id: string, createdAt: number, extra: Partial<PlanPerson> = {}): PlanPerson => ({
  id,
  createdAt,
  counts: {},
  ...extra,
});

function plan(
  matches: PlanMatch[],
  personOf: Record<string, string>,
  persons: PlanPerson[],
  limits: Record<string, number> = {},
) {
  let n = 0;
  return planResolution({
    events: [],
    matches,
    personOf: new Map(Object.entries(personOf)),
    persons: new Map(persons.map((p) => [p.id, p])),
    limits,
    now: 10,
    newPersonId: () => `new${++n}`,
  });
}

describe('matches in the resolution plan', () => {
  it('joins two persons on a probabilistic match, into the older, with the match recorded on the link', () => {
    const result = plan([match('email:a', 'email:b')], { 'email:a': 'p1', 'email:b': 'p2' }, [
      person('p1', 1),
      person('p2', 2),
    ]);
    expect(result.merges).toEqual([
      expect.objectContaining({ survivorId: 'p1', absorbedId: 'p2', rule: 'fellegi_sunter' }),
    ]);
    expect(result.links).toEqual([
      expect.objectContaining({
        status: 'active',
        method: 'probabilistic',
        confidence: 0.97,
        modelVersion: 'm1',
        records: ['crm/1', 'shop/1'],
        purposes: ['analytics'],
      }),
    ]);
  });

  it('refuses a join across a no-match constraint, from either side, and says why', () => {
    const persons = [
      person('p1', 1, { cannotLink: [['email:a', 'email:b']] }),
      person('p2', 2, { cannotLink: [['email:b', 'email:a']] }),
    ];
    for (const [from, to] of [
      ['email:a', 'email:b'],
      ['email:b', 'email:a'],
    ] as const) {
      const result = plan([match(from, to)], { 'email:a': 'p1', 'email:b': 'p2' }, persons);
      expect(result.merges).toEqual([]);
      expect(result.refusals).toEqual([
        expect.objectContaining({ reason: 'no_match_decision', identifierType: null }),
      ]);
      expect(result.links[0]!.status).toBe('refused');
    }
  });

  it('refuses a join that reaches a constrained identifier through a third person', () => {
    // p1 holds a (constrained against b, which is in p3); p2 is unconstrained.
    const persons = [
      person('p1', 1, { cannotLink: [['email:a', 'email:b']] }),
      person('p2', 2),
      person('p3', 3, { cannotLink: [['email:b', 'email:a']] }),
    ];
    const result = plan(
      [match('email:a', 'email:c'), match('email:c', 'email:b', { eventKey: 'shop/2' })],
      { 'email:a': 'p1', 'email:c': 'p2', 'email:b': 'p3' },
      persons,
    );
    expect(result.merges.map((m) => m.absorbedId)).toEqual(['p2']);
    expect(result.refusals.map((r) => r.reason)).toEqual(['no_match_decision']);
    expect(result.personOf.get('email:b')).toBe('p3');
  });

  it('applies the per-type limits to matches as to co-occurrence', () => {
    const result = plan(
      [match('user_id:1', 'user_id:2')],
      { 'user_id:1': 'p1', 'user_id:2': 'p2' },
      [person('p1', 1, { counts: { user_id: 1 } }), person('p2', 2, { counts: { user_id: 1 } })],
      { user_id: 1 },
    );
    expect(result.refusals).toEqual([
      expect.objectContaining({ reason: 'limit_exceeded', identifierType: 'user_id', limit: 1 }),
    ]);
  });

  it('names a link by its strongest evidence: manual over deterministic over probabilistic', () => {
    const matches = [
      match('email:a', 'email:b'),
      match('email:a', 'email:b', {
        method: 'manual',
        rule: 'review_decision',
        confidence: 1,
        eventKey: 'review/r1',
        modelVersion: null,
        explanation: null,
      }),
    ];
    const persons = () => [person('p1', 1), person('p2', 2)];
    const result = plan(matches, { 'email:a': 'p1', 'email:b': 'p2' }, persons());
    expect(result.links).toEqual([
      expect.objectContaining({
        method: 'manual',
        rule: 'review_decision',
        confidence: 1,
        // The probabilistic evidence's explanation stays for the audit.
        modelVersion: 'm1',
        // Evidence in evidence order (time, then event key).
        eventKeys: ['review/r1', 'shop/1'],
      }),
    ]);
    // Whatever order the matches were scored in, the plan is the same.
    const reversed = plan([...matches].reverse(), { 'email:a': 'p1', 'email:b': 'p2' }, persons());
    expect(reversed.links).toEqual(result.links);
    expect(reversed.merges).toEqual(result.merges);
  });
});

describe('record matcher', () => {
  const settings = {
    secret: 'unit-test-secret-0123',
    autoThreshold: 0.9,
    reviewThreshold: 0.5,
    maxCandidates: 10,
    maxBlockSize: 100,
    householdAttributes: [],
  };
  const record = normalizeRecord({
    id: 'r',
    attributes: { firstName: 'Ann', lastName: 'Lee', dateOfBirth: '1980-02-03', postcode: '2000' },
  });

  it('hashes blocking keys with the secret: stable, opaque, and different under another secret', () => {
    const a = createRecordMatcher(settings).blocks(record);
    const again = createRecordMatcher(settings).blocks(record);
    const other = createRecordMatcher({ ...settings, secret: 'another-secret-456789' }).blocks(
      record,
    );
    expect(a).toEqual(again);
    expect(a.length).toBeGreaterThan(3);
    expect(a.every((b) => Number.isSafeInteger(b.hash) && b.hash >= 0 && b.hash < 2 ** 48)).toBe(
      true,
    );
    expect(other.map((b) => b.hash)).not.toEqual(a.map((b) => b.hash));
    // Rule order is kept: the candidate cap prefers earlier rules.
    expect(a.map((b) => b.rule)).toEqual([...a.map((b) => b.rule)].sort((x, y) => x - y));
  });

  it('decides by the thresholds: link at or above auto, review in the band, none below', () => {
    const matcher = createRecordMatcher(settings);
    const vector = matcher.score(record, record).vector.map((c) => c.level);
    expect(matcher.decide(0.9, vector)).toEqual({ decision: 'link' });
    expect(matcher.decide(0.89, vector)).toEqual({ decision: 'review' });
    expect(matcher.decide(0.5, vector)).toEqual({ decision: 'review' });
    expect(matcher.decide(0.49, vector)).toEqual({ decision: 'none' });
  });

  // The runtime empties the matcher's memo on a clock so that erased values leave memory: what
  // blocking and weighing memoised must go, and scoring must give the same decisions afterwards.
  it('forgets the names and dates its blocking and scoring memoised, and scores the same after', () => {
    const matcher = createRecordMatcher(settings);
    const other = normalizeRecord({
      id: 'o',
      attributes: {
        firstName: 'Anne',
        lastName: 'Li',
        dateOfBirth: '1980-03-02',
        postcode: '2000',
      },
    });
    matcher.blocks(record);
    const before = matcher.score(record, other);
    expect(matcher.weigh(record, other)?.vector).toEqual(before.vector.map((c) => c.level));
    expect(matcher.memoisedValues()).toBeGreaterThan(0);
    matcher.forgetValues();
    expect(matcher.memoisedValues()).toBe(0);
    expect(matcher.score(record, other)).toEqual(before);
  });

  it('turns event attributes into a record, and none when nothing usable is left', () => {
    const matcher = createRecordMatcher(settings);
    expect(matcher.toRecord('k', 'crm', { firstName: ' ', city: null })).toBeUndefined();
    expect(matcher.toRecord('k', 'crm', { firstName: 'José', loyalty: 42 })?.values).toMatchObject({
      firstName: 'jose',
      loyalty: '42',
    });
  });
});

describe('linkComponents', () => {
  it('partitions a person by its active links, the part holding the kept identifier first', () => {
    expect(
      linkComponents(
        ['a', 'b', 'c', 'd'],
        [
          ['a', 'b'],
          ['c', 'd'],
        ],
        'c',
      ),
    ).toEqual([
      ['c', 'd'],
      ['a', 'b'],
    ]);
    expect(
      linkComponents(
        ['a', 'b', 'c'],
        [
          ['a', 'b'],
          ['b', 'c'],
        ],
        'a',
      ),
    ).toEqual([['a', 'b', 'c']]);
  });
});
