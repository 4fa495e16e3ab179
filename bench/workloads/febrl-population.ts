import { createRandom } from '../../src/matching/training/random-source.js';
import type { TruthRecord } from '../datasets/evaluate.js';
import { type Dataset, loadFebrl3, loadFebrl4, type RawRecord } from '../datasets/peer-datasets.js';

/**
 * Synthetic FEBRL-like persons and their duplicates, for workloads of any size: the accuracy
 * benchmark's warm-ups and its incremental speed runs.
 */

/** What the synthetic populations are drawn from: FEBRL3's and FEBRL4's records, and FEBRL's attribute kinds. */
export interface FebrlSources {
  readonly raw: RawRecord[];
  readonly attributeKinds: Dataset['attributeKinds'];
}

export function loadFebrlSources(dataDir: string): FebrlSources {
  const febrl3 = loadFebrl3(dataDir);
  return {
    raw: [...febrl3.raw, ...loadFebrl4(dataDir).raw],
    attributeKinds: febrl3.attributeKinds,
  };
}

/** Seeded PRNG: the matching core's, so synthetic data is reproducible across tools. */
const prng = createRandom;

const LETTERS = 'abcdefghijklmnopqrstuvwxyz';

/** One FEBRL-style typo: substitute, insert, delete or transpose one character. */
function typo(value: string, random: () => number): string {
  if (value.length < 2) return value;
  const at = Math.floor(random() * value.length);
  const letter = LETTERS[Math.floor(random() * LETTERS.length)]!;
  switch (Math.floor(random() * 4)) {
    case 0:
      return value.slice(0, at) + letter + value.slice(at + 1);
    case 1:
      return value.slice(0, at) + letter + value.slice(at);
    case 2:
      return value.slice(0, at) + value.slice(at + 1);
    default: {
      const i = Math.min(at, value.length - 2);
      return value.slice(0, i) + value[i + 1]! + value[i]! + value.slice(i + 2);
    }
  }
}

function digitTypo(value: string, random: () => number): string {
  if (value.length === 0) return value;
  const at = Math.floor(random() * value.length);
  return value.slice(0, at) + String(Math.floor(random() * 10)) + value.slice(at + 1);
}

const pad = (n: number, width: number) => String(n).padStart(width, '0');

export interface SyntheticPerson {
  readonly entity: string;
  readonly attributes: Readonly<Record<string, string>>;
}

/**
 * A FEBRL-like population drawn from the FEBRL records' own value distributions. Each person takes
 * its first name, surname, street (with address line 2 and house number) and suburb/postcode/state
 * from independently chosen original FEBRL records, so common values stay as common as in FEBRL
 * (block sizes grow with the population as they would in real data); date of birth is uniform over
 * 1920-2005 and the national id a random 7-digit number.
 */
export function syntheticPopulation(sources: readonly RawRecord[], seed: number) {
  const random = prng(seed);
  const originals = sources.filter((r) => /-org$/.test(r.id));
  const pick = () => originals[Math.floor(random() * originals.length)]!.attributes;
  let next = 0;
  const person = (): SyntheticPerson => {
    const names = [pick(), pick()] as const;
    const street = pick();
    const place = pick();
    const day = 86_400_000;
    const from = Date.UTC(1920, 0, 1);
    const dob = new Date(
      from + Math.floor(random() * ((Date.UTC(2005, 11, 31) - from) / day)) * day,
    );
    return {
      entity: `p${next++}`,
      attributes: {
        firstName: names[0].firstName ?? '',
        lastName: names[1].lastName ?? '',
        streetNumber: street.streetNumber ?? '',
        street: street.street ?? '',
        address2: street.address2 ?? '',
        city: place.city ?? '',
        postcode: place.postcode ?? '',
        state: place.state ?? '',
        dateOfBirth: dob.toISOString().slice(0, 10),
        socSecId: pad(Math.floor(random() * 1e7), 7),
      },
    };
  };
  /**
   * A duplicate with 1-3 FEBRL-like corruptions: typos in names, streets or suburbs, swapped names,
   * a missing value, a changed digit in the postcode or national id, a date of birth one day, one
   * month or one year off (dates stay calendar dates, as the API requires).
   */
  const duplicate = (of: SyntheticPerson): Record<string, string> => {
    const a = { ...of.attributes };
    const corruptions = 1 + Math.floor(random() * 3);
    for (let i = 0; i < corruptions; i++) {
      const kind = Math.floor(random() * 9);
      if (kind === 0) a.firstName = typo(a.firstName ?? '', random);
      else if (kind === 1) a.lastName = typo(a.lastName ?? '', random);
      else if (kind === 2) [a.firstName, a.lastName] = [a.lastName ?? '', a.firstName ?? ''];
      else if (kind === 3) a.street = typo(a.street ?? '', random);
      else if (kind === 4) a.city = typo(a.city ?? '', random);
      else if (kind === 5) a.postcode = digitTypo(a.postcode ?? '', random);
      else if (kind === 6) a.socSecId = random() < 0.5 ? '' : digitTypo(a.socSecId ?? '', random);
      else if (kind === 7) {
        const keys = [
          'firstName',
          'lastName',
          'street',
          'streetNumber',
          'city',
          'postcode',
          'dateOfBirth',
        ];
        a[keys[Math.floor(random() * keys.length)]!] = '';
      } else if (a.dateOfBirth) {
        const d = new Date(`${a.dateOfBirth}T00:00:00Z`);
        const shift = Math.floor(random() * 3);
        if (shift === 0) d.setUTCDate(d.getUTCDate() + (random() < 0.5 ? -1 : 1));
        else if (shift === 1) d.setUTCMonth(d.getUTCMonth() + (random() < 0.5 ? -1 : 1));
        else d.setUTCFullYear(d.getUTCFullYear() + (random() < 0.5 ? -1 : 1));
        a.dateOfBirth = d.toISOString().slice(0, 10);
      }
    }
    return a;
  };
  /** Copies per new person: 1 (60 %), 2 (25 %), 3 (10 %), 4 (5 %), as FEBRL's generator spreads them. */
  const copies = () => {
    const x = random();
    return x < 0.6 ? 1 : x < 0.85 ? 2 : x < 0.95 ? 3 : 4;
  };
  return { random, person, duplicate, copies };
}

/**
 * Records for the speed runs: `size` records of new persons (each with its copies), or, with
 * `existing`, a share `duplicateShare` of duplicates of those persons and the rest new persons.
 * Record ids are `<prefix>-<n>`; the truth maps them to persons.
 */
export function syntheticRecords(
  population: ReturnType<typeof syntheticPopulation>,
  size: number,
  prefix: string,
  existing: readonly SyntheticPerson[] = [],
  duplicateShare = 0,
): { raw: RawRecord[]; truth: TruthRecord[]; persons: SyntheticPerson[] } {
  const raw: RawRecord[] = [];
  const truth: TruthRecord[] = [];
  const persons: SyntheticPerson[] = [];
  const add = (entity: string, attributes: Record<string, string>) => {
    const id = `${prefix}-${raw.length}`;
    raw.push({ id, attributes });
    truth.push({ id, entity });
  };
  const duplicates = existing.length > 0 ? Math.round(size * duplicateShare) : 0;
  for (let i = 0; i < duplicates; i++) {
    const of = existing[Math.floor(population.random() * existing.length)]!;
    add(of.entity, population.duplicate(of));
  }
  while (raw.length < size) {
    const p = population.person();
    persons.push(p);
    add(p.entity, { ...p.attributes });
    const copies = population.copies();
    for (let c = 1; c < copies && raw.length < size; c++) add(p.entity, population.duplicate(p));
  }
  // Interleave: a source sends persons in no particular order.
  const order = raw.map((_, i) => i);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(population.random() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  return { raw: order.map((i) => raw[i]!), truth: order.map((i) => truth[i]!), persons };
}
