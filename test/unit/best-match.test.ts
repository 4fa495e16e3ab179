import { describe, expect, it } from 'vitest';
import * as better from '../../src/resolver/better-match.js';
import type { HeldPerson } from '../../src/resolver/better-match.js';
import {
  type PlanEvent,
  type PlanMatch,
  type PlanPerson,
  planResolution,
} from '../../src/resolver/resolution-plan.js';

/**
 * The best match wins: within a plan, matches apply strongest first; across batches, weaker links
 * that stand in a better match's way are withdrawn and their person split (pure parts).
 */

const LIMITS = { crm_id: 1 };

const match = (from: string, to: string, confidence: number, extra: Partial<PlanMatch> = {}) =>
  ({
    fromKey: from,
    toKey: to,
    method: 'probabilistic',
    rule: 'fellegi_sunter',
    confidence,
    source: 'shop',
    occurredAt: 5,
    eventKey: `shop/${from}-${to}`,
    purposes: [],
    modelVersion: 'm1',
    explanation: null,
    records: null,
    ...extra,
  }) satisfies PlanMatch;

const person = (
  id: string,
  createdAt: number,
  counts: Record<string, number> = {},
): PlanPerson => ({
  id,
  createdAt,
  counts,
});

const event = (key: string, identifiers: string[], occurredAt = 9): PlanEvent => ({
  key,
  source: 'crm',
  occurredAt,
  identifiers: identifiers.map((k) => ({ key: k, type: k.split(':')[0]! })),
  linking: true,
  purposes: [],
  confidence: 1,
});

function input(
  events: PlanEvent[],
  matches: PlanMatch[],
  personOf: Record<string, string | null>,
  persons: PlanPerson[],
) {
  let n = 0;
  return {
    events,
    matches,
    personOf: new Map(Object.entries(personOf)),
    persons: new Map(persons.map((p) => [p.id, p])),
    limits: LIMITS,
    now: 100,
    newPersonId: () => `new${++n}`,
  };
}

const status = (plan: ReturnType<typeof planResolution>, from: string, to: string) =>
  plan.links.find((l) => l.fromKey === from && l.toKey === to)?.status;

describe('best match within a plan', () => {
  it('joins the most probable candidate and refuses the worse one, whatever the matches’ order', () => {
    // r (a shop record) matches t better than h; t and h each hold a crm_id, so r joins one only.
    const better = match('email:r', 'email:t', 0.99999, { occurredAt: 7, eventKey: 'shop/2' });
    const worse = match('email:h', 'email:r', 0.9999, { occurredAt: 3, eventKey: 'shop/1' });
    const personOf = { 'email:r': 'pr', 'email:t': 'pt', 'email:h': 'ph' };
    const persons = () => [
      person('pr', 1),
      person('pt', 2, { crm_id: 1 }),
      person('ph', 3, { crm_id: 1 }),
    ];
    for (const matches of [
      [better, worse],
      [worse, better],
    ]) {
      const plan = planResolution(input([], matches, personOf, persons()));
      expect(plan.personOf.get('email:r')).toBe(plan.personOf.get('email:t'));
      expect(plan.personOf.get('email:h')).not.toBe(plan.personOf.get('email:r'));
      expect(status(plan, 'email:r', 'email:t')).toBe('active');
      expect(status(plan, 'email:h', 'email:r')).toBe('refused');
      expect(plan.refusals).toEqual([
        expect.objectContaining({
          fromKey: 'email:h',
          toKey: 'email:r',
          reason: 'limit_exceeded',
          confidence: 0.9999,
          // The match that won names itself.
          competing: { fromKey: 'email:r', toKey: 'email:t', confidence: 0.99999 },
        }),
      ]);
    }
  });
});

/** h's person after an earlier batch joined r to it: crm_id:2 + email:h (one event), r by a weaker match. */
const household = (extra: Partial<HeldPerson> = {}): HeldPerson => ({
  id: 'ph',
  createdAt: 1,
  identifiers: [
    { key: 'crm_id:2', elementId: 'e-crm2', type: 'crm_id', createdAt: 1 },
    { key: 'email:h', elementId: 'e-h', type: 'email', createdAt: 1 },
    { key: 'email:r', elementId: 'e-r', type: 'email', createdAt: 2 },
  ],
  cannotLink: [],
  links: [
    { id: 'l-h', fromKey: 'crm_id:2', toKey: 'email:h', method: 'deterministic', confidence: 1 },
    {
      id: 'l-hr',
      fromKey: 'email:h',
      toKey: 'email:r',
      method: 'probabilistic',
      confidence: 0.9999,
    },
  ],
  ...extra,
});

/** Plans a batch bringing t (crm_id:1 + email:t, new) whose record matches r's with `p`. */
function batchOfT(p: number, held: HeldPerson) {
  const start = better.initialState(
    input(
      [event('crm/t', ['crm_id:1', 'email:t'])],
      [match('email:r', 'email:t', p)],
      { 'crm_id:1': null, 'email:t': null, 'email:r': 'ph' },
      [person('ph', 1, { crm_id: 1 })],
    ),
  );
  let state = start;
  let plan = planResolution(state.input);
  for (;;) {
    // What read/anchor-links and read/person-link-graph answer from the graph.
    better.addIncident(
      state,
      better.keysToRead(state, plan).map((key) => ({
        key,
        links: held.links.filter((l) => l.fromKey === key || l.toKey === key),
      })),
    );
    for (const id of better.personsToRead(state, plan)) {
      expect(id).toBe('ph');
      better.addHeld(state, [held]);
    }
    const pass = better.preferBetterMatches(state, plan);
    if (!pass.changed) return { plan, state };
    ({ state, plan } = pass);
  }
}

describe('best match across batches', () => {
  it('withdraws a weaker link that holds the record in another person, splits it, and joins the better match', () => {
    const { plan, state } = batchOfT(0.99999, household());
    expect(plan.refusals).toEqual([]);
    expect(status(plan, 'email:r', 'email:t')).toBe('active');
    const r = plan.personOf.get('email:r')!;
    expect(plan.personOf.get('email:t')).toBe(r);
    expect(r).not.toBe('ph');
    expect(state.input.personOf.get('email:h')).toBe('ph');
    expect(state.withdrawals).toEqual([
      {
        link: household().links[1],
        personId: 'ph',
        better: { fromKey: 'email:r', toKey: 'email:t', confidence: 0.99999 },
      },
    ]);
    // The person keeps its id for the part with its oldest identifiers; r's part is a new
    // person, which t's new identifiers join.
    expect(better.splitsOf(state)).toEqual([
      { personId: 'ph', parts: [[r, ['e-r']]], linkIds: ['l-hr'] },
    ]);
  });

  it('keeps a link that is more probable than the refused match, and names it as the competing link', () => {
    const { plan, state } = batchOfT(0.999, household());
    expect(state.withdrawals).toEqual([]);
    // Its links were enough to tell: the person was not read whole.
    expect(state.held.size).toBe(0);
    expect(plan.refusals).toEqual([
      expect.objectContaining({ fromKey: 'email:r', toKey: 'email:t', reason: 'limit_exceeded' }),
    ]);
    expect(better.competingLinks(state, plan).get('email:r\u0000email:t')).toEqual({
      fromKey: 'email:h',
      toKey: 'email:r',
      confidence: 0.9999,
      linkId: 'l-hr',
    });
  });

  it('withdraws nothing when the record is held by a link that is not probabilistic', () => {
    const held = household({
      links: [
        {
          id: 'l-h',
          fromKey: 'crm_id:2',
          toKey: 'email:h',
          method: 'deterministic',
          confidence: 1,
        },
        {
          id: 'l-hr',
          fromKey: 'email:h',
          toKey: 'email:r',
          method: 'probabilistic',
          confidence: 0.9,
        },
        { id: 'l-hr2', fromKey: 'crm_id:2', toKey: 'email:r', method: 'manual', confidence: 1 },
      ],
    });
    const { plan, state } = batchOfT(0.99999, held);
    expect(state.withdrawals).toEqual([]);
    expect(plan.refusals).toHaveLength(1);
  });

  it('keeps the weaker links the better match does not exclude, as one batch would have', () => {
    // k (no limited identifier) hangs off r by a weak match: after t joins r, k may still join.
    const held = household({
      identifiers: [
        ...household().identifiers,
        { key: 'email:k', elementId: 'e-k', type: 'email', createdAt: 3 },
      ],
      links: [
        ...household().links,
        {
          id: 'l-kr',
          fromKey: 'email:k',
          toKey: 'email:r',
          method: 'probabilistic',
          confidence: 0.99,
        },
      ],
    });
    const { plan, state } = batchOfT(0.99999, held);
    expect(state.withdrawals.map((w) => w.link.id)).toEqual(['l-hr']);
    expect(better.splitsOf(state)).toEqual([
      {
        personId: 'ph',
        parts: [[plan.personOf.get('email:r'), ['e-r', 'e-k']]],
        linkIds: ['l-hr'],
      },
    ]);
    expect(plan.personOf.get('email:t')).toBe(plan.personOf.get('email:r'));
  });

  it('gives the same partition as one batch, whichever record came first', () => {
    // One batch with all three: h and t each with their crm_id, r matching both.
    const together = planResolution(
      input(
        [event('crm/h', ['crm_id:2', 'email:h'], 1), event('crm/t', ['crm_id:1', 'email:t'], 3)],
        [match('email:r', 'email:t', 0.99999), match('email:h', 'email:r', 0.9999)],
        { 'crm_id:2': null, 'email:h': null, 'email:r': 'pr', 'crm_id:1': null, 'email:t': null },
        [person('pr', 2)],
      ),
    );
    const groups = (personOf: ReadonlyMap<string, string | null>, keys: string[]) =>
      new Set(keys.map((k) => keys.filter((j) => personOf.get(j) === personOf.get(k)).join(',')));
    const keys = ['crm_id:1', 'crm_id:2', 'email:h', 'email:r', 'email:t'];
    const { plan, state } = batchOfT(0.99999, household());
    const after = new Map(state.input.personOf);
    for (const [k, p] of plan.personOf) after.set(k, p);
    expect(groups(after, keys)).toEqual(groups(together.personOf, keys));
  });
});
