import type { IdentityEvent } from '../../src/events/event-schema.js';

/**
 * The people the matching, explain, consent and end-to-end tests compare: each a record and the
 * variants another source would send of it, chosen for where the built-in model scores the pair
 * (test/integration/matching.test.ts checks each pair against the thresholds).
 */

export type Attributes = NonNullable<IdentityEvent['attributes']>;

export const jonathan: Attributes = {
  firstName: 'Jonathan',
  lastName: 'Whitfield',
  dateOfBirth: '1984-03-17',
  gender: 'm',
  street: 'Banks Street',
  streetNumber: '42',
  postcode: '2612',
  city: 'Canberra',
};
/** A typo'd duplicate from another source: above the automatic threshold. */
export const jonathanTypo: Attributes = { ...jonathan, firstName: 'Jonathon', street: 'Banks St' };
/** Only the street abbreviated: a stronger match than the typo. */
export const jonathanStreet: Attributes = { ...jonathan, street: 'Banks St' };

/** Same names, birth dates a fortnight apart, different cities: plausible, not certain. */
export const maria: Attributes = {
  firstName: 'Maria',
  lastName: 'Kowalczyk',
  dateOfBirth: '1990-05-02',
  city: 'Perth',
};
export const mariaElsewhere: Attributes = { ...maria, dateOfBirth: '1990-05-16', city: 'Sydney' };

/** Same names, day and month swapped: likely, not certain. */
export const peter: Attributes = {
  firstName: 'Peter',
  lastName: 'Lindqvist',
  dateOfBirth: '1975-07-09',
};
export const peterSwapped: Attributes = { ...peter, dateOfBirth: '1975-09-07', postcode: '3000' };
