import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type PlanEvent,
  type PlanPerson,
  planResolution,
} from '../../src/resolver/resolution-plan.js';

/**
 * An event links its identifiers to its anchor (src/resolver/resolution-plan.ts); the partition
 * must be the one joining every pair of them in key order gives, whatever limits, persons and
 * no-match constraints stand in the way. The pairwise plan is the same planner fed one event per
 * pair, in the pairs' order.
 */

const limits = { user_id: 1, crm_id: 1 };
const POOL = [
  'cookie_id:a',
  'cookie_id:b',
  'crm_id:c1',
  'crm_id:c2',
  'email:e1',
  'email:e2',
  'phone:p1',
  'user_id:u1',
  'user_id:u2',
  'user_id:u3',
];
const typeOf = (key: string) => key.split(':')[0]!;

const scenario: fc.Arbitrary<Scenario> = fc.record({
  events: fc.array(fc.uniqueArray(fc.constantFrom(...POOL), { minLength: 2, maxLength: 8 }), {
    minLength: 1,
    maxLength: 6,
  }),
  /** Per pool identifier: no person (new), or person 0..2. */
  owners: fc.array(fc.option(fc.integer({ min: 0, max: 2 }), { nil: null }), {
    minLength: POOL.length,
    maxLength: POOL.length,
  }),
  constraints: fc.array(fc.tuple(fc.constantFrom(...POOL), fc.constantFrom(...POOL)), {
    maxLength: 3,
  }),
});

interface Scenario {
  events: string[][];
  owners: (number | null)[];
  constraints: [string, string][];
}

function plans({ events, owners, constraints }: Scenario) {
  const personOf = new Map<string, string | null>();
  POOL.forEach((key, i) => personOf.set(key, owners[i] == null ? null : `p${owners[i]}`));
  const persons = new Map<string, PlanPerson>();
  for (const id of ['p0', 'p1', 'p2']) {
    const own = POOL.filter((k) => personOf.get(k) === id);
    const counts: Record<string, number> = {};
    for (const key of own)
      if (typeOf(key) in limits) counts[typeOf(key)] = (counts[typeOf(key)] ?? 0) + 1;
    const cannotLink = constraints
      .filter(([a, b]) => a !== b && own.includes(a))
      .map(([a, b]) => [a, b] as const);
    persons.set(id, { id, createdAt: Number(id.slice(1)), counts, cannotLink });
  }
  // A person over its limit cannot exist; the scenario keeps the persons that can.
  for (const [id, p] of persons)
    if (Object.entries(p.counts).some(([t, n]) => n > limits[t as keyof typeof limits]))
      for (const key of POOL) if (personOf.get(key) === id) personOf.set(key, null);
  const planEvents: PlanEvent[] = events.map((keys, n) => ({
    key: `e${n}`,
    source: 'web',
    occurredAt: n * 1000,
    identifiers: [...keys].sort().map((key) => ({ key, type: typeOf(key) })),
    linking: true,
    purposes: [],
    confidence: 1,
  }));
  const pairEvents: PlanEvent[] = planEvents.flatMap((event) =>
    event.identifiers.flatMap((a, i) =>
      event.identifiers.slice(i + 1).map((b, j) => ({
        ...event,
        key: `${event.key}/${String(i).padStart(2, '0')}/${String(i + 1 + j).padStart(2, '0')}`,
        identifiers: [a, b],
      })),
    ),
  );
  const run = (evs: PlanEvent[]) => {
    let n = 0;
    return planResolution({
      events: evs,
      personOf,
      persons,
      limits,
      now: 99_999,
      newPersonId: () => `new${++n}`,
    });
  };
  return { anchored: run(planEvents), pairwise: run(pairEvents), planEvents };
}

describe('linking an event at its anchor', () => {
  it('gives the partition and merges that linking every pair gives', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const { anchored, pairwise } = plans(s);
        expect(anchored.personOf).toEqual(pairwise.personOf);
        expect(anchored.absorbed).toEqual(pairwise.absorbed);
        expect(anchored.merges.map((m) => [m.survivorId, m.absorbedId])).toEqual(
          pairwise.merges.map((m) => [m.survivorId, m.absorbedId]),
        );
      }),
      { numRuns: 500 },
    );
  });

  it('writes at most two links per identifier of an event, never one per pair', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const { anchored, planEvents } = plans(s);
        const identifiers = planEvents.reduce((n, e) => n + e.identifiers.length, 0);
        expect(anchored.links.length).toBeLessThanOrEqual(2 * identifiers);
        for (const link of anchored.links) expect(link.fromKey < link.toKey).toBe(true);
      }),
      { numRuns: 200 },
    );
  });
});
