import { describe, expect, it } from 'vitest';
import {
  type PlanEvent,
  type PlanInput,
  type PlanPerson,
  planResolution,
} from '../../src/resolver/resolution-plan.js';

const limits = { user_id: 1, crm_id: 1 };

function ev(key: string, ids: string[], at = 0, extra: Partial<PlanEvent> = {}): PlanEvent {
  return {
    key,
    source: 'web',
    occurredAt: at,
    identifiers: [...ids].sort().map((k) => ({ key: k, type: k.split(':')[0]! })),
    linking: true,
    purposes: [],
    confidence: 1,
    ...extra,
  };
}

function input(
  events: PlanEvent[],
  personOf: Record<string, string | null> = {},
  persons: PlanPerson[] = [],
): PlanInput {
  let n = 0;
  const all = new Map<string, string | null>();
  for (const e of events) for (const i of e.identifiers) all.set(i.key, personOf[i.key] ?? null);
  return {
    events,
    personOf: all,
    persons: new Map(persons.map((p) => [p.id, p])),
    limits,
    now: 1000,
    newPersonId: () => `new${++n}`,
  };
}

describe('planResolution', () => {
  it('puts identifiers seen together into one new person, each linked to the event’s anchor', () => {
    const plan = planResolution(input([ev('web/1', ['email:a@x.io', 'phone:+1', 'cookie_id:c'])]));
    expect(new Set(plan.personOf.values())).toEqual(new Set(['new1']));
    expect(plan.newPersons).toEqual([{ id: 'new1', createdAt: 1000 }]);
    expect(plan.links.map((l) => `${l.fromKey}|${l.toKey}`).sort()).toEqual([
      'cookie_id:c|email:a@x.io',
      'cookie_id:c|phone:+1',
    ]);
    expect(
      plan.links.every((l) => l.status === 'active' && l.confidence === 1 && l.fromKey < l.toKey),
    ).toBe(true);
    expect(plan.merges).toEqual([]);
  });

  it('links an event of 50 identifiers with 49 links, all at its first identifier by key', () => {
    const keys = Array.from({ length: 50 }, (_, i) => `cookie_id:c${String(i).padStart(2, '0')}`);
    const plan = planResolution(input([ev('web/1', [...keys].reverse())]));
    expect(plan.links).toHaveLength(49);
    expect(new Set(plan.links.map((l) => l.fromKey))).toEqual(new Set(['cookie_id:c00']));
    expect(new Set(plan.personOf.values()).size).toBe(1);
  });

  it('anchors an event at its first identifier it may link, leaving the unlinked ones out', () => {
    const plan = planResolution(
      input([ev('web/1', ['cookie_id:a', 'email:b', 'phone:c'], 0, { unlinked: ['cookie_id:a'] })]),
    );
    expect(plan.links.map((l) => `${l.fromKey}|${l.toKey}`)).toEqual(['email:b|phone:c']);
    expect(plan.personOf.get('cookie_id:a')).not.toBe(plan.personOf.get('email:b'));
  });

  it('joins the identifiers a limit kept from the anchor among themselves', () => {
    const full: PlanPerson = { id: 'pA', createdAt: 1, counts: { user_id: 1, crm_id: 1 } };
    const plan = planResolution(
      input([ev('web/1', ['cookie_id:a', 'crm_id:c', 'user_id:u'])], { 'cookie_id:a': 'pA' }, [
        full,
      ]),
    );
    expect(plan.personOf.get('cookie_id:a')).toBe('pA');
    expect(plan.personOf.get('crm_id:c')).toBe('new1');
    expect(plan.personOf.get('user_id:u')).toBe('new1');
    expect(plan.links.map((l) => `${l.fromKey}|${l.toKey}|${l.status}`).sort()).toEqual([
      'cookie_id:a|crm_id:c|refused',
      'cookie_id:a|user_id:u|refused',
      'crm_id:c|user_id:u|active',
    ]);
    expect(plan.refusals.map((r) => r.toKey)).toEqual(['crm_id:c', 'user_id:u']);
  });

  it('attaches a new identifier to the existing person without a merge record', () => {
    const p: PlanPerson = { id: 'pA', createdAt: 1, counts: {} };
    const plan = planResolution(
      input([ev('web/1', ['email:a@x.io', 'phone:+1'])], { 'email:a@x.io': 'pA' }, [p]),
    );
    expect(plan.personOf.get('phone:+1')).toBe('pA');
    expect(plan.attach).toEqual([{ key: 'phone:+1', personId: 'pA' }]);
    expect(plan.newPersons).toEqual([]);
    expect(plan.merges).toEqual([]);
  });

  it('merges two persons into the older one and records the merge', () => {
    const older: PlanPerson = { id: 'pOld', createdAt: 1, counts: {} };
    const newer: PlanPerson = { id: 'pNew', createdAt: 2, counts: {} };
    const plan = planResolution(
      input(
        [ev('crm/9', ['email:a@x.io', 'phone:+1'])],
        { 'email:a@x.io': 'pNew', 'phone:+1': 'pOld' },
        [older, newer],
      ),
    );
    expect(plan.absorbed).toEqual([{ absorbedId: 'pNew', survivorId: 'pOld' }]);
    expect(plan.merges).toEqual([
      expect.objectContaining({
        survivorId: 'pOld',
        absorbedId: 'pNew',
        eventKey: 'crm/9',
        rule: 'same_event',
        confidence: 1,
      }),
    ]);
  });

  it('breaks an age tie by id, whatever the order of the event', () => {
    const a: PlanPerson = { id: 'pA', createdAt: 5, counts: {} };
    const b: PlanPerson = { id: 'pB', createdAt: 5, counts: {} };
    const plan = planResolution(
      input(
        [ev('w/1', ['email:b@x.io', 'email:a@x.io'])],
        { 'email:a@x.io': 'pB', 'email:b@x.io': 'pA' },
        [a, b],
      ),
    );
    expect(plan.absorbed).toEqual([{ absorbedId: 'pB', survivorId: 'pA' }]);
  });

  it('refuses a merge that would give a person two user_ids and keeps the link as evidence', () => {
    const withUser: PlanPerson = { id: 'p1', createdAt: 1, counts: { user_id: 1 } };
    const plan = planResolution(
      input([ev('web/1', ['device_id:d', 'user_id:u2'])], { 'device_id:d': 'p1' }, [withUser]),
    );
    expect(plan.personOf.get('device_id:d')).toBe('p1');
    expect(plan.personOf.get('user_id:u2')).toBe('new1');
    expect(plan.links).toEqual([expect.objectContaining({ status: 'refused' })]);
    expect(plan.refusals).toEqual([
      expect.objectContaining({
        identifierType: 'user_id',
        limit: 1,
        wouldHave: 2,
        personIds: ['new1', 'p1'],
        eventKey: 'web/1',
      }),
    ]);
  });

  it('does not make one person of a device seen with 25 user_ids', () => {
    const events = Array.from({ length: 25 }, (_, i) =>
      ev(`web/${i}`, ['device_id:shared', `user_id:u${String(i).padStart(2, '0')}`], i),
    );
    const plan = planResolution(input(events));
    const persons = new Set(
      [...plan.personOf.entries()].filter(([k]) => k.startsWith('user_id:')).map(([, p]) => p),
    );
    expect(persons.size).toBe(25);
    expect(plan.refusals).toHaveLength(24);
    // The device joined the first user id by time order.
    expect(plan.personOf.get('device_id:shared')).toBe(plan.personOf.get('user_id:u00'));
  });

  it('records identifiers but links nothing when identity_linking is refused', () => {
    const plan = planResolution(
      input([ev('web/1', ['email:a@x.io', 'phone:+1'], 0, { linking: false })]),
    );
    expect(plan.links).toEqual([]);
    expect(new Set(plan.personOf.values()).size).toBe(2);
  });

  it('yields the same partition whatever the order of events (no refusals)', () => {
    const events = [
      ev('s/1', ['email:a', 'phone:1'], 1),
      ev('s/2', ['phone:1', 'cookie_id:c'], 2),
      ev('s/3', ['email:z', 'cookie_id:y'], 3),
      ev('s/4', ['cookie_id:y', 'device_id:q'], 4),
      ev('s/5', ['device_id:q', 'email:a'], 5),
    ];
    const partition = (plan: ReturnType<typeof planResolution>) => {
      const groups = new Map<string, string[]>();
      for (const [k, p] of plan.personOf) groups.set(p, [...(groups.get(p) ?? []), k]);
      return [...groups.values()].map((g) => g.sort().join(',')).sort();
    };
    const forward = partition(planResolution(input(events)));
    const backward = partition(planResolution(input([...events].reverse())));
    expect(forward).toEqual(backward);
    expect(forward).toHaveLength(1);
  });

  it('accumulates evidence per link: sources, first/last seen, events, consented purposes', () => {
    const plan = planResolution(
      input([
        ev('web/1', ['email:a', 'phone:1'], 10, { purposes: ['analytics'] }),
        { ...ev('crm/2', ['email:a', 'phone:1'], 5, { purposes: ['advertising'] }), source: 'crm' },
      ]),
    );
    expect(plan.links).toEqual([
      expect.objectContaining({
        sources: ['crm', 'web'],
        firstSeen: 5,
        lastSeen: 10,
        eventKeys: ['crm/2', 'web/1'],
        purposes: ['advertising', 'analytics'],
      }),
    ]);
  });

  it('keeps two persons apart whichever event tries to join them once a limit stands between them', () => {
    const plan = planResolution(
      input([
        ev('w/1', ['user_id:u1', 'email:a'], 1),
        ev('w/2', ['user_id:u2', 'phone:p'], 2),
        ev('w/3', ['email:a', 'phone:p'], 3),
        ev('w/4', ['cookie_id:c', 'email:a'], 4),
        ev('w/5', ['cookie_id:c', 'phone:p'], 5),
      ]),
    );
    expect(plan.personOf.get('email:a')).toBe(plan.personOf.get('user_id:u1'));
    expect(plan.personOf.get('phone:p')).toBe(plan.personOf.get('user_id:u2'));
    expect(plan.personOf.get('email:a')).not.toBe(plan.personOf.get('phone:p'));
    expect(plan.personOf.get('cookie_id:c')).toBe(plan.personOf.get('email:a'));
    expect(plan.refusals.map((r) => r.eventKey)).toEqual(['w/3', 'w/5']);
    expect(
      plan.links.filter((l) => l.status === 'refused').map((l) => `${l.fromKey}|${l.toKey}`),
    ).toEqual(['email:a|phone:p', 'cookie_id:c|phone:p']);
  });

  it('keeps the highest confidence any evidence gave a link', () => {
    const plan = planResolution(
      input([
        ev('v/1', ['device_id:d', 'cookie_id:c'], 1, { confidence: 0.6 }),
        ev('v/2', ['device_id:d', 'cookie_id:c'], 2, { confidence: 0.8 }),
      ]),
    );
    expect(plan.links).toEqual([expect.objectContaining({ confidence: 0.8, status: 'active' })]);
  });
});
