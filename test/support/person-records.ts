import type { IdentityEvent } from '../../src/events/event-schema.js';
import { prng } from './identity-generator.js';

/**
 * A seeded generator of person records with ground truth, for matching tests: each synthetic person
 * has 1-3 records from different sources, each record one identifier of its own (`external_id`), so
 * only probabilistic matching can join them. Duplicates carry the errors real sources make: a typo
 * in a name, day and month swapped, a missing postcode, a shortened street.
 */

const FIRST = [
  'james',
  'mary',
  'john',
  'patricia',
  'robert',
  'jennifer',
  'michael',
  'linda',
  'william',
  'elizabeth',
  'david',
  'barbara',
  'richard',
  'susan',
  'joseph',
  'jessica',
  'thomas',
  'sarah',
  'charles',
  'karen',
  'chris',
  'nancy',
  'daniel',
  'lisa',
  'matthew',
  'betty',
  'anthony',
  'margaret',
  'mark',
  'sandra',
  'donald',
  'ashley',
  'steven',
  'kimberly',
  'paul',
  'emily',
  'andrew',
  'donna',
  'joshua',
  'michelle',
];
const LAST = [
  'smith',
  'johnson',
  'williams',
  'brown',
  'jones',
  'garcia',
  'miller',
  'davis',
  'rodriguez',
  'martinez',
  'hernandez',
  'lopez',
  'gonzalez',
  'wilson',
  'anderson',
  'thomas',
  'taylor',
  'moore',
  'jackson',
  'martin',
  'lee',
  'perez',
  'thompson',
  'white',
  'harris',
  'sanchez',
  'clark',
  'ramirez',
  'lewis',
  'robinson',
  'walker',
  'young',
  'allen',
  'king',
  'wright',
  'scott',
  'torres',
  'nguyen',
  'hill',
  'flores',
];
const STREETS = [
  'banks street',
  'oxford road',
  'high street',
  'station road',
  'church lane',
  'park avenue',
  'mill road',
  'victoria street',
  'king street',
  'queens parade',
];
const CITIES = ['canberra', 'sydney', 'perth', 'hobart', 'darwin', 'brisbane'];
const SOURCES = ['crm', 'shop', 'pos'];

export interface GeneratedRecords {
  events: IdentityEvent[];
  /** identifier key (`external_id:gen:N`) -> true person index */
  truth: Map<string, number>;
}

export function generatePersonRecords(options: {
  persons: number;
  seed?: number;
}): GeneratedRecords {
  const random = prng(options.seed ?? 11);
  const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)]!;
  const events: IdentityEvent[] = [];
  const truth = new Map<string, number>();
  const base = Date.parse('2026-02-01T00:00:00Z');
  const typo = (s: string) => {
    const i = 1 + Math.floor(random() * (s.length - 2));
    return s.slice(0, i) + s[i + 1] + s[i] + s.slice(i + 2);
  };
  let n = 0;
  for (let p = 0; p < options.persons; p++) {
    const year = 1940 + Math.floor(random() * 60);
    const month = 1 + Math.floor(random() * 12);
    const day = 1 + Math.floor(random() * 28);
    const original = {
      firstName: pick(FIRST),
      lastName: pick(LAST),
      dateOfBirth: `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`,
      street: pick(STREETS),
      streetNumber: String(1 + Math.floor(random() * 200)),
      postcode: String(2000 + Math.floor(random() * 7000)),
      city: pick(CITIES),
    };
    const copies = random() < 0.5 ? 1 : random() < 0.6 ? 2 : 3;
    for (let c = 0; c < copies; c++) {
      const attributes: Record<string, string> = { ...original };
      if (c > 0) {
        const errors = Math.floor(random() * 3);
        for (let e = 0; e < errors; e++) {
          const kind = Math.floor(random() * 4);
          if (kind === 0) attributes.firstName = typo(attributes.firstName!);
          else if (kind === 1 && day <= 12 && day !== month)
            attributes.dateOfBirth = `${year}-${String(day).padStart(2, '0')}-${String(month).padStart(2, '0')}`;
          else if (kind === 2) delete attributes.postcode;
          else
            attributes.street = attributes.street!.replace(
              / (street|road|lane|avenue|parade)$/,
              '',
            );
        }
      }
      const id = `gen:rec${n}`;
      truth.set(`external_id:${id}`, p);
      events.push({
        id: `r${n}`,
        source: SOURCES[c]!,
        occurredAt: new Date(base + n * 1000).toISOString(),
        identifiers: [{ type: 'external_id', value: id }],
        attributes,
      });
      n += 1;
    }
  }
  return { events, truth };
}
