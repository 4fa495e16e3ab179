import type { IdentityEvent } from '../../src/events/event-schema.js';
import { pairwiseScores, prng, shuffle } from './identity-generator.js';

/**
 * Seeded regional populations with ground truth, for the false positives of record linkage that a
 * nationwide model does not expect: few towns with one postcode each, common names with a skewed
 * frequency, and households whose members share surname and address but have different first
 * names and birth dates.
 *
 * - {@link generateRegionalCustomers}: one CRM event per customer, no true duplicates, so every
 *   probabilistic link is a false positive.
 * - {@link generateReturningHouseholds}: households of 2-4, each person one CRM event, and a share
 *   of the persons again from a shop with a new email and one typo: the true duplicates are exactly
 *   the shop records.
 *
 * The truth names each event by the one identifier only that event carries (its crm_id, or a
 * shop event's email), so a partition read back over the API is scored per event, not per
 * identifier. Every value is synthetic; no two persons share first name, surname and birth date.
 */

type Attributes = NonNullable<IdentityEvent['attributes']>;

/** A true person and the attributes its CRM record carries. */
export interface RegionalPerson {
  /** The person's number in `truth`. */
  index: number;
  household: number;
  firstName: string;
  lastName: string;
  /** YYYY-MM-DD, a real date; distinct within a household. */
  dateOfBirth: string;
  street: string;
  streetNumber: string;
  city: string;
  postcode: string;
}

export type TypoField = 'firstName' | 'lastName' | 'street';

/** A person's second record (shop), equal to the CRM record but for one edit in one field. */
export interface ReturnVisit {
  person: number;
  field: TypoField;
  /** The field's value in the CRM record and in the shop record. */
  original: string;
  typo: string;
}

export interface RegionalPopulation {
  /** CRM events first (persons in shuffled order), then the shop events (also shuffled). */
  events: IdentityEvent[];
  /** Identifier key (`type:value`, normalised) of each event's own identifier -> true person index. */
  truth: Map<string, number>;
  persons: RegionalPerson[];
  returns: ReturnVisit[];
}

const words = (text: string) => text.trim().split(/\s+/);

const FIRST_NAMES = words(`
  Mary John Anna James Sarah David Emma Peter Laura Thomas Julia Michael
  Claire Paul Helen Robert Susan Daniel Karen Mark Linda Steven Alice George
  Ruth Simon Emily Andrew Grace Martin Lucy Philip Rachel Stephen Jane Richard
  Nora Adam Fiona Oliver Rose Henry Esther Victor Irene Hugo Carla Felix
  Mona Leon Greta Oscar Ida Konrad Vera Tobias Edith Arthur Hanna Bruno
`);
const SURNAMES = words(`
  Smith Miller Brown Jones Taylor Wilson Davies Evans Walker Wright
  Baker Turner Fischer Weber Meyer Wagner Becker Schulz Hoffmann Koch
  Richter Klein Wolf Neumann Schwarz Zimmermann Braun Hartmann Lange Krause
  Lehmann Werner Schmitt Kaiser Fuchs Peters Scott Moore Hill Clarke
  Hughes Green Hall Wood Harris Martin Cooper King Lee Ward
  Morgan Bennett Gray James Price Webb Barnes Parker Lloyd Shaw
`);
const TOWNS = [
  { city: 'Ashford', postcode: '4711' },
  { city: 'Bramley', postcode: '4720' },
  { city: 'Cheston', postcode: '4735' },
  { city: 'Dunmore', postcode: '4742' },
  { city: 'Elmwood', postcode: '4756' },
  { city: 'Fairview', postcode: '4763' },
  { city: 'Glenford', postcode: '4778' },
  { city: 'Hartley', postcode: '4789' },
];
/** Street names repeat across towns, as High Street and Station Road do. */
const STREETS = words(`
  High Station Church Mill Park Main School Victoria Green Manor Kings Queens
  North South Bridge Chapel Orchard Meadow Springfield Windsor Elm Oak Castle Market
  Albert York Grange Willow Cedar Forest Hill Brook Beech Ash Rectory Westfield
`).flatMap((stem) =>
  ['Street', 'Road', 'Lane', 'Avenue', 'Close', 'Way', 'Grove'].map((kind) => `${stem} ${kind}`),
);
const HOUSE_NUMBERS = 150;
/**
 * Zipf exponent of name frequencies: the commonest of 60 names is drawn for about one person in
 * seven, the rarest for one in two hundred.
 */
const NAME_SKEW = 0.8;

/** A picker whose item of rank r (from 0) is drawn with weight 1 / (r + 1)^exponent. */
function zipfPicker<T>(items: readonly T[], exponent: number, random: () => number): () => T {
  const cumulative: number[] = [];
  let total = 0;
  items.forEach((_, rank) => {
    total += 1 / (rank + 1) ** exponent;
    cumulative.push(total);
  });
  return () => {
    const target = random() * total;
    let lo = 0;
    let hi = cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid]! < target) lo = mid + 1;
      else hi = mid;
    }
    return items[lo]!;
  };
}

/** Draws household sizes from `weights` (index = size; weights need not sum to 1). */
function sizePicker(weights: readonly number[], random: () => number): () => number {
  const total = weights.reduce((a, b) => a + b, 0);
  return () => {
    let target = random() * total;
    for (let size = 0; size < weights.length; size += 1) {
      target -= weights[size]!;
      if (target < 0) return size;
    }
    return weights.length - 1;
  };
}

const isoDate = (year: number, month: number, day: number) =>
  `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;

/** The state the household builder draws from: one per population, so a seed fixes everything. */
function createPeopleFactory(
  random: () => number,
  place: { towns: number | undefined; streetsPerTown: number | undefined },
) {
  const int = (n: number) => Math.floor(random() * n);
  const pickFirst = zipfPicker(FIRST_NAMES, NAME_SKEW, random);
  const pickLast = zipfPicker(SURNAMES, NAME_SKEW, random);
  const towns = TOWNS.slice(0, Math.min(TOWNS.length, Math.max(1, place.towns ?? 8))).map(
    (town) => ({
      ...town,
      streets: shuffle(STREETS, random).slice(0, Math.max(1, place.streetsPerTown ?? 40)),
    }),
  );
  const addresses = new Set<string>();
  const identities = new Set<string>();
  const persons: RegionalPerson[] = [];

  /** A birth year for a household member: a couple close in age, children a generation later. */
  const birthYear = (member: number, head: number) =>
    member === 0 ? head : member === 1 ? head - 6 + int(13) : Math.min(2006, head + 20 + int(19));

  /** A household of `size` at an address no other household has; members get consecutive indexes. */
  const household = (size: number): RegionalPerson[] => {
    const id = persons.length === 0 ? 0 : persons[persons.length - 1]!.household + 1;
    let town = towns[0]!;
    let street = '';
    let streetNumber = '';
    do {
      town = towns[int(towns.length)]!;
      street = town.streets[int(town.streets.length)]!;
      streetNumber = String(1 + int(HOUSE_NUMBERS));
    } while (addresses.has(`${town.city}|${street}|${streetNumber}`));
    addresses.add(`${town.city}|${street}|${streetNumber}`);
    const lastName = pickLast();
    const head = 1940 + int(51);
    const members: RegionalPerson[] = [];
    for (let member = 0; member < size; member += 1) {
      let firstName = '';
      let dateOfBirth = '';
      // Distinct first names and birth dates within the household, and no two persons anywhere
      // with the same name and birth date: the population has no true duplicates by construction.
      do {
        firstName = pickFirst();
        dateOfBirth = isoDate(birthYear(member, head), 1 + int(12), 1 + int(28));
      } while (
        members.some((m) => m.firstName === firstName || m.dateOfBirth === dateOfBirth) ||
        identities.has(`${firstName}|${lastName}|${dateOfBirth}`)
      );
      identities.add(`${firstName}|${lastName}|${dateOfBirth}`);
      const person: RegionalPerson = {
        index: persons.length,
        household: id,
        firstName,
        lastName,
        dateOfBirth,
        street,
        streetNumber,
        city: town.city,
        postcode: town.postcode,
      };
      persons.push(person);
      members.push(person);
    }
    return members;
  };

  /** A unique identifier value per call: random digits, so key order says nothing about persons. */
  const usedIds = new Set<string>();
  const uniqueDigits = (digits: number) => {
    let value = '';
    do value = String(10 ** (digits - 1) + int(9 * 10 ** (digits - 1)));
    while (usedIds.has(value));
    usedIds.add(value);
    return value;
  };

  return { persons, household, uniqueDigits };
}

const LETTERS = 'abcdefghijklmnopqrstuvwxyz';

/**
 * One edit (substitution, deletion or insertion of a lower-case letter, Levenshtein distance 1)
 * away from `value`, never at the first character (typists rarely miss it) and never giving a value
 * of `avoid` (another real name or street would be a different person, not a typo).
 */
function oneEdit(value: string, random: () => number, avoid: readonly string[]): string {
  const int = (n: number) => Math.floor(random() * n);
  const positions = [...value].map((_, i) => i).filter((i) => i > 0 && /[a-z]/.test(value[i]!));
  for (;;) {
    const at = positions[int(positions.length)]!;
    const kind = int(3);
    let typo: string;
    if (kind === 0) {
      const letter = LETTERS.replace(value[at]!, '')[int(LETTERS.length - 1)]!;
      typo = value.slice(0, at) + letter + value.slice(at + 1);
    } else if (kind === 1) typo = value.slice(0, at) + value.slice(at + 1);
    else typo = value.slice(0, at) + LETTERS[int(LETTERS.length)]! + value.slice(at);
    if (typo !== value && !avoid.includes(typo)) return typo;
  }
}

const attributesOf = (p: RegionalPerson): Attributes => ({
  firstName: p.firstName,
  lastName: p.lastName,
  dateOfBirth: p.dateOfBirth,
  street: p.street,
  streetNumber: p.streetNumber,
  city: p.city,
  postcode: p.postcode,
});

const BASE_TIME = Date.parse('2026-03-01T00:00:00Z');
const SHOP_DELAY_MS = 30 * 86_400_000;

export interface RegionalCustomersOptions {
  /** Default 2,000. */
  customers?: number;
  /** Towns (one postcode each), 1-8; default 8. */
  cities?: number;
  /** Streets per town (drawn from 252 names); default 40. Fewer streets, more neighbours. */
  streetsPerTown?: number;
  /**
   * The CRM identifier: `crm_id` (default; at most one per person under the default merge limits,
   * so a probabilistic link between two customers is refused) or `external_id` (no limit, so the
   * same link merges them).
   */
  identifierType?: 'crm_id' | 'external_id';
  seed?: number;
}

/**
 * A regional customer base with no true duplicates: households of 1-4 (about half the customers
 * live alone), each customer one CRM event with name, birth date and address.
 */
export function generateRegionalCustomers(
  options: RegionalCustomersOptions = {},
): RegionalPopulation {
  const customers = options.customers ?? 2000;
  const identifierType = options.identifierType ?? 'crm_id';
  const random = prng(options.seed ?? 2201);
  const people = createPeopleFactory(random, {
    towns: options.cities,
    streetsPerTown: options.streetsPerTown,
  });
  const size = sizePicker([0, 0.5, 0.28, 0.13, 0.09], random);
  while (people.persons.length < customers)
    people.household(Math.min(size(), customers - people.persons.length));
  const events: IdentityEvent[] = [];
  const truth = new Map<string, number>();
  for (const person of shuffle(people.persons, random)) {
    const crm = `C${people.uniqueDigits(7)}`;
    const value = identifierType === 'crm_id' ? crm : `crm:${crm}`;
    truth.set(`${identifierType}:${value}`, person.index);
    events.push({
      id: `crm-${events.length}`,
      source: 'crm',
      occurredAt: new Date(BASE_TIME + events.length * 1000).toISOString(),
      identifiers: [{ type: identifierType, value }],
      attributes: attributesOf(person),
    });
  }
  return { events, truth, persons: people.persons, returns: [] };
}

export interface ReturningHouseholdsOptions {
  /** Default 400 (about 1,200 persons). */
  households?: number;
  /** Towns (one postcode each), 1-8; default 6. */
  towns?: number;
  /** Streets per town (drawn from 252 names); default 40. */
  streetsPerTown?: number;
  /** Share of the persons who come again from the shop; default 1/3. */
  returningShare?: number;
  seed?: number;
}

/**
 * Households of 2-4 in a few towns; every person one CRM event (crm_id, email, attributes); a share
 * of them again from `shop`, after every CRM event, with a new email, no crm_id, the same birth
 * date and postcode, and one typo in first name, surname or street.
 */
export function generateReturningHouseholds(
  options: ReturningHouseholdsOptions = {},
): RegionalPopulation {
  const random = prng(options.seed ?? 2202);
  const people = createPeopleFactory(random, {
    towns: options.towns ?? 6,
    streetsPerTown: options.streetsPerTown,
  });
  const size = sizePicker([0, 0, 0.45, 0.3, 0.25], random);
  for (let h = 0; h < (options.households ?? 400); h += 1) people.household(size());
  const events: IdentityEvent[] = [];
  const truth = new Map<string, number>();
  for (const person of shuffle(people.persons, random)) {
    const crmId = `C${people.uniqueDigits(7)}`;
    truth.set(`crm_id:${crmId}`, person.index);
    events.push({
      id: `crm-${events.length}`,
      source: 'crm',
      occurredAt: new Date(BASE_TIME + events.length * 1000).toISOString(),
      identifiers: [
        { type: 'crm_id', value: crmId },
        { type: 'email', value: `c${people.uniqueDigits(7)}@crm.example.org` },
      ],
      attributes: attributesOf(person),
    });
  }
  const share = options.returningShare ?? 1 / 3;
  const returning = shuffle(people.persons, random).slice(
    0,
    Math.round(people.persons.length * share),
  );
  const fields: readonly TypoField[] = ['firstName', 'lastName', 'street'];
  const vocabulary: Record<TypoField, readonly string[]> = {
    firstName: FIRST_NAMES,
    lastName: SURNAMES,
    street: STREETS,
  };
  const returns: ReturnVisit[] = [];
  returning.forEach((person, n) => {
    const field = fields[Math.floor(random() * fields.length)]!;
    const original = person[field];
    const typo = oneEdit(original, random, vocabulary[field]);
    returns.push({ person: person.index, field, original, typo });
    const email = `s${people.uniqueDigits(7)}@shop.example.net`;
    truth.set(`email:${email}`, person.index);
    events.push({
      id: `shop-${n}`,
      source: 'shop',
      occurredAt: new Date(BASE_TIME + SHOP_DELAY_MS + n * 1000).toISOString(),
      identifiers: [{ type: 'email', value: email }],
      attributes: { ...attributesOf(person), [field]: typo },
    });
  });
  return { events, truth, persons: people.persons, returns };
}

/** The identifiers to ask `POST /v1/resolve` for: one per event, in the truth's order. */
export function truthIdentifiers(truth: ReadonlyMap<string, number>) {
  return [...truth.keys()].map((key) => {
    const colon = key.indexOf(':');
    return { type: key.slice(0, colon), value: key.slice(colon + 1) };
  });
}

/**
 * Pairwise precision and recall of a partition (truth key -> person id, e.g. from `POST
 * /v1/resolve`) against the truth, with the wrong pairs themselves for diagnosis: pairs of events
 * in one person that are different people, and pairs of one person's events left apart.
 */
export function scorePartition(
  predicted: ReadonlyMap<string, string>,
  truth: ReadonlyMap<string, number>,
) {
  const scores = pairwiseScores(new Map(predicted), new Map(truth));
  const pairsWithin = (groups: Iterable<string[]>, differ: (a: string, b: string) => boolean) => {
    const pairs: [string, string][] = [];
    for (const keys of groups)
      for (let i = 0; i < keys.length; i += 1)
        for (let j = i + 1; j < keys.length; j += 1)
          if (differ(keys[i]!, keys[j]!)) pairs.push([keys[i]!, keys[j]!]);
    return pairs;
  };
  const byPerson = new Map<string, string[]>();
  const byTruth = new Map<number, string[]>();
  for (const [key, person] of truth) {
    byTruth.set(person, [...(byTruth.get(person) ?? []), key]);
    const predictedPerson = predicted.get(key)!;
    byPerson.set(predictedPerson, [...(byPerson.get(predictedPerson) ?? []), key]);
  }
  return {
    ...scores,
    falsePositives: pairsWithin(byPerson.values(), (a, b) => truth.get(a) !== truth.get(b)),
    falseNegatives: pairsWithin(byTruth.values(), (a, b) => predicted.get(a) !== predicted.get(b)),
  };
}
