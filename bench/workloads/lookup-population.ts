import { prng } from '../../test/support/identity-generator.js';

/**
 * The lookup benchmark's population: person i is a pure function of (seed, i), so request lists
 * never need the graph. Values are realistic (German names, mail domains and mobile numbers) and
 * unique where identifiers must be.
 */

/** Mixes a seed and an index into the seed of a random stream of its own. */
const mix = (a: number, b: number) =>
  Math.imul(a ^ Math.imul(b, 0x9e3779b1), 0x85ebca6b) ^ (b >>> 13);

const FIRST = [
  'Anna',
  'Ben',
  'Clara',
  'David',
  'Emma',
  'Felix',
  'Greta',
  'Hannah',
  'Jonas',
  'Lea',
  'Lukas',
  'Marie',
  'Noah',
  'Paul',
  'Sophie',
  'Tom',
  'Mia',
  'Elias',
  'Lina',
  'Finn',
];
const LAST = [
  'Schmidt',
  'Mueller',
  'Schneider',
  'Fischer',
  'Weber',
  'Meyer',
  'Wagner',
  'Becker',
  'Schulz',
  'Hoffmann',
  'Koch',
  'Richter',
  'Klein',
  'Wolf',
  'Neumann',
  'Braun',
];
const DOMAINS = [
  'gmail.com',
  'web.de',
  'gmx.de',
  't-online.de',
  'outlook.com',
  'yahoo.de',
  'icloud.com',
  'posteo.de',
];
const MOBILE_PREFIXES = [
  '151',
  '152',
  '157',
  '159',
  '160',
  '162',
  '163',
  '170',
  '171',
  '172',
  '173',
  '174',
  '175',
  '176',
  '177',
  '178',
  '179',
];
/** The identifier types of every person. */
export const TYPES = ['email', 'phone', 'cookie_id'] as const;
export const DAY = 86_400_000;
const EPOCH = Date.UTC(2025, 0, 1);

const pick = <T>(list: readonly T[], r: () => number) => list[Math.floor(r() * list.length)]!;

function uuid4(r: () => number): string {
  const b = Array.from({ length: 16 }, () => Math.floor(r() * 256));
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = b.map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/**
 * Raw identifier values as a client would send them. `n` makes email and phone unique (the phone's
 * subscriber number is a bijection of n below 10^8); the cookie id is a random UUID.
 */
function rawIdentifiers(n: number, r: () => number): Record<(typeof TYPES)[number], string> {
  const subscriber = String((n * 7919 + 1_234_567) % 100_000_000).padStart(8, '0');
  return {
    email: `${pick(FIRST, r)}.${pick(LAST, r)}${n}@${pick(DOMAINS, r)}`,
    phone: `+49 ${MOBILE_PREFIXES[n % MOBILE_PREFIXES.length]} ${subscriber}`,
    cookie_id: uuid4(r),
  };
}

export interface LookupPerson {
  id: string;
  createdAt: number;
  raw: Record<(typeof TYPES)[number], string>;
}

/** A looked-up identifier, with the person it belongs to (null: not in the graph). */
export interface Probe {
  type: string;
  value: string;
  personId: string | null;
}

/**
 * `identifiers / 3` persons with an email, a phone and a cookie id each (seeded by `seed`), and
 * lookups of their identifiers of which a share `unknownShare` is not in the graph.
 */
export function lookupPopulation(options: {
  seed: number;
  identifiers: number;
  unknownShare: number;
}) {
  const { seed, unknownShare } = options;
  const persons = Math.ceil(options.identifiers / 3);

  function person(i: number): LookupPerson {
    const r = prng(mix(seed, i));
    const id = `per_${Buffer.from(Array.from({ length: 16 }, () => Math.floor(r() * 256))).toString('base64url')}`;
    const createdAt = EPOCH + Math.floor(r() * 365 * DAY);
    return { id, createdAt, raw: rawIdentifiers(i, r) };
  }

  /** An identifier no person has: numbered past the last person, from another random stream. */
  function unknownIdentifier(j: number, r: () => number): { type: string; value: string } {
    const type = pick(TYPES, r);
    return { type, value: rawIdentifiers(persons + j, prng(mix(seed ^ 0x5bd1e995, j)))[type] };
  }

  /** A looked-up identifier: an existing one of a random person and type, or (--unknown) an unknown one. */
  function probe(r: () => number, k: number): Probe {
    if (r() < unknownShare) return { ...unknownIdentifier(k, r), personId: null };
    const p = person(Math.floor(r() * persons));
    const type = pick(TYPES, r);
    return { type, value: p.raw[type], personId: p.id };
  }

  return {
    seed,
    persons,
    /** The graph's totals once loaded: two links per person (email-phone, email-cookie). */
    expected: { identifiers: persons * 3, activePersons: persons, links: persons * 2 },
    person,
    probe,
    /** The random stream of person i's graph details (last seen, link ids). */
    detailsRandom: (i: number) => prng(mix(seed ^ 0x27d4eb2f, i)),
    /** The random stream lookups are drawn from. */
    probeRandom: () => prng(mix(seed, 0x7fffffff)),
  };
}

export type LookupPopulation = ReturnType<typeof lookupPopulation>;
