import { distance } from 'fastest-levenshtein';
import { describe, expect, it } from 'vitest';
import { eventBatchSchema } from '../../src/events/event-schema.js';
import {
  generateRegionalCustomers,
  generateReturningHouseholds,
  type RegionalPerson,
  scorePartition,
  truthIdentifiers,
} from '../support/regional-population.js';

const byHousehold = (persons: readonly RegionalPerson[]) => {
  const households = new Map<number, RegionalPerson[]>();
  for (const p of persons) households.set(p.household, [...(households.get(p.household) ?? []), p]);
  return [...households.values()];
};
const address = (p: RegionalPerson) => [p.street, p.streetNumber, p.city, p.postcode].join('|');

describe('regional customer base', () => {
  const population = generateRegionalCustomers();

  it('has one valid CRM event per customer in eight towns of one postcode each', () => {
    expect(population.persons).toHaveLength(2000);
    expect(population.events).toHaveLength(2000);
    expect(population.truth.size).toBe(2000);
    expect(new Set(population.truth.values()).size).toBe(2000);
    for (let i = 0; i < population.events.length; i += 1000)
      eventBatchSchema.parse({ events: population.events.slice(i, i + 1000) });
    for (const e of population.events) expect(e.identifiers.map((i) => i.type)).toEqual(['crm_id']);
    const postcodes = new Map(population.persons.map((p) => [p.city, new Set<string>()]));
    for (const p of population.persons) postcodes.get(p.city)!.add(p.postcode);
    expect(postcodes.size).toBe(8);
    for (const codes of postcodes.values()) expect(codes.size).toBe(1);
  });

  it('has common names with a skewed frequency and no two persons alike in name and birth date', () => {
    const surnames = new Map<string, number>();
    for (const p of population.persons)
      surnames.set(p.lastName, (surnames.get(p.lastName) ?? 0) + 1);
    const counts = [...surnames.values()].sort((a, b) => b - a);
    expect(counts[0]!).toBeGreaterThan(10 * counts[counts.length - 1]!);
    const identities = population.persons.map(
      (p) => `${p.firstName}|${p.lastName}|${p.dateOfBirth}`,
    );
    expect(new Set(identities).size).toBe(identities.length);
  });

  it('has households that share surname and address, each address one household', () => {
    const households = byHousehold(population.persons);
    expect(households.some((h) => h.length >= 2)).toBe(true);
    expect(households.some((h) => h.length === 1)).toBe(true);
    for (const members of households) {
      expect(new Set(members.map((p) => `${p.lastName}|${address(p)}`)).size).toBe(1);
      expect(new Set(members.map((p) => p.firstName)).size).toBe(members.length);
      expect(new Set(members.map((p) => p.dateOfBirth)).size).toBe(members.length);
    }
    expect(new Set(households.map((h) => address(h[0]!))).size).toBe(households.length);
  });

  it('can carry the CRM id as an external_id instead', () => {
    const external = generateRegionalCustomers({ customers: 50, identifierType: 'external_id' });
    for (const e of external.events) expect(e.identifiers[0]!.type).toBe('external_id');
    expect(truthIdentifiers(external.truth)).toEqual(external.events.map((e) => e.identifiers[0]));
  });
});

describe('households with returning customers', () => {
  const population = generateReturningHouseholds();
  const crm = population.events.filter((e) => e.source === 'crm');
  const shop = population.events.filter((e) => e.source === 'shop');

  it('has households of two to four in six towns, sharing surname and address', () => {
    const households = byHousehold(population.persons);
    expect(households).toHaveLength(400);
    for (const members of households) {
      expect(members.length).toBeGreaterThanOrEqual(2);
      expect(members.length).toBeLessThanOrEqual(4);
      expect(new Set(members.map((p) => `${p.lastName}|${address(p)}`)).size).toBe(1);
      expect(new Set(members.map((p) => p.firstName)).size).toBe(members.length);
      expect(new Set(members.map((p) => p.dateOfBirth)).size).toBe(members.length);
    }
    expect(new Set(population.persons.map((p) => p.postcode)).size).toBe(6);
  });

  it('has one CRM event per person and a shop event for a third of them, after every CRM event', () => {
    expect(crm).toHaveLength(population.persons.length);
    for (const e of crm) expect(e.identifiers.map((i) => i.type)).toEqual(['crm_id', 'email']);
    expect(shop).toHaveLength(Math.round(population.persons.length / 3));
    for (const e of shop) expect(e.identifiers.map((i) => i.type)).toEqual(['email']);
    expect(new Set(population.returns.map((r) => r.person)).size).toBe(shop.length);
    const lastCrm = Math.max(...crm.map((e) => Date.parse(e.occurredAt)));
    for (const e of shop) expect(Date.parse(e.occurredAt)).toBeGreaterThan(lastCrm);
    const emails = population.events.flatMap((e) =>
      e.identifiers.filter((i) => i.type === 'email'),
    );
    expect(new Set(emails.map((i) => i.value)).size).toBe(emails.length);
  });

  it('gives each shop event exactly one edit in one field of its CRM record', () => {
    const crmOf = new Map(
      crm.map((e) => [population.truth.get(`crm_id:${e.identifiers[0]!.value}`), e]),
    );
    for (const e of shop) {
      const person = population.truth.get(`email:${e.identifiers[0]!.value}`);
      const original = crmOf.get(person)!.attributes!;
      const changed = Object.keys(original).filter((k) => original[k] !== e.attributes![k]);
      expect(changed).toHaveLength(1);
      const field = changed[0]!;
      expect(['firstName', 'lastName', 'street']).toContain(field);
      expect(distance(String(original[field]), String(e.attributes![field]))).toBe(1);
      expect(e.attributes!.dateOfBirth).toBe(original.dateOfBirth);
      expect(e.attributes!.postcode).toBe(original.postcode);
    }
  });

  it('is the same for the same seed and different for another', () => {
    expect(generateReturningHouseholds({ households: 30 })).toEqual(
      generateReturningHouseholds({ households: 30 }),
    );
    expect(generateReturningHouseholds({ households: 30, seed: 1 }).events).not.toEqual(
      generateReturningHouseholds({ households: 30 }).events,
    );
    expect(generateRegionalCustomers({ customers: 40 })).toEqual(
      generateRegionalCustomers({ customers: 40 }),
    );
  });
});

describe('scorePartition', () => {
  it('scores events pairwise and lists the wrong pairs', () => {
    const truth = new Map([
      ['a1', 1],
      ['a2', 1],
      ['b1', 2],
      ['c1', 3],
    ]);
    const predicted = new Map([
      ['a1', 'p'],
      ['a2', 'q'],
      ['b1', 'p'],
      ['c1', 'r'],
    ]);
    const scores = scorePartition(predicted, truth);
    expect(scores).toMatchObject({
      precision: 0,
      recall: 0,
      tp: 0,
      predictedPairs: 1,
      truePairs: 1,
    });
    expect(scores.falsePositives).toEqual([['a1', 'b1']]);
    expect(scores.falseNegatives).toEqual([['a1', 'a2']]);
  });
});
