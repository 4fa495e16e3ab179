import type { BlockingRule } from '../records/blocking.js';
import type { ComparisonDefinition } from '../scoring/comparison-levels.js';
import {
  addressComparison,
  dateComparison,
  exactComparison,
  nameComparison,
} from '../scoring/comparison-presets.js';
import type { FellegiSunterModel, ModelComparison } from '../scoring/fellegi-sunter.js';

/**
 * A model that works untrained on typical person data. The m values say how often a true match
 * shows each level (how clean the data is); the u values say how often two different people do
 * (how common coincidences are). They are set by hand from these rules of thumb, and are close to
 * what unsupervised training finds on the FEBRL and fake_1000 benchmark sets:
 *
 * - Names: ~80–85% of matching records carry the same name; typos, phonetic spellings and
 *   nicknames make up most of the rest. Nationwide, two random people share a first name ~1% of
 *   the time and a surname ~0.3%; in a regional customer base a few names are common to many
 *   (the commonest a few percent each), so the defaults take twice and three times that: 2% and
 *   1%. Term-frequency adjustment, once estimated from the data, corrects per value. A
 *   Jaro–Winkler >= 0.7 agreement is common by chance (~8–10%).
 * - Date of birth: ~85% exact; a one-digit typo is the usual error. Two random adults share a
 *   birth date ~1 in 20,000 (365 days x ~60 birth years); same year ±1 is ~5%.
 * - Address: one comparison of postcode, city, street and house number together (see
 *   {@link addressComparison}), because they describe one place: compared separately, one shared
 *   town counts two or three times. The u values are those of a small regional customer base,
 *   where a few towns hold everyone: one random pair in ten shares a town (postcode), one in a
 *   hundred a street, one in a few hundred a dwelling. The people sharing a dwelling mostly share
 *   the surname too, which the surname comparison already counts, so the dwelling levels are set
 *   to add less than a shared birth date does. Nationwide data has far fewer coincidences; trained
 *   or estimated u then give address agreement its larger weight. People move, so a different
 *   address is weak evidence against a match.
 * - Gender: nearly always recorded the same, but half of random pairs agree, so it mainly
 *   penalises a disagreement.
 *
 * - Names swapped between the two fields (a form filled in the wrong order) are a level of their
 *   own on both names, typos included (both crossed pairs Jaro–Winkler >= 0.92): rare by chance, a
 *   few percent of true duplicates, and the swap often comes with a typo.
 *
 * A pair on which nothing but surname, address and gender agrees is reviewed rather than linked
 * however high it scores (identity-evidence.ts): those are what a household shares.
 *
 * lambda = 1e-4 assumes on the order of 10,000 records per person-sized block of the population;
 * train lambda (see `estimateLambda`) when the data set is known.
 */

export const DEFAULT_MODEL_VERSION = 'default-person-v3';

function withParameters(
  definition: ComparisonDefinition,
  m: readonly number[],
  u: readonly number[],
): ModelComparison {
  if (m.length !== definition.levels.length || u.length !== definition.levels.length)
    throw new Error(`default model: ${definition.name} needs one m and one u per level`);
  return {
    ...definition,
    levels: definition.levels.map((level, index) => ({ ...level, m: m[index]!, u: u[index]! })),
  };
}

/** Default comparisons, without parameters: a starting point for training. */
export function defaultComparisons(): ComparisonDefinition[] {
  return DEFAULT_MODEL.comparisons.map((c) => ({
    name: c.name,
    attribute: c.attribute,
    levels: c.levels.map((l) => ({ when: l.when })),
    ...(c.termFrequency ? { termFrequency: true } : {}),
  }));
}

export const DEFAULT_MODEL: FellegiSunterModel = {
  version: DEFAULT_MODEL_VERSION,
  lambda: 1e-4,
  comparisons: [
    // Levels: exact, swapped with the surname, jw>=0.92, double metaphone, jw>=0.88, jw>=0.7, else.
    withParameters(
      nameComparison('firstName', { termFrequency: true, swappedWith: 'lastName', swapMin: 0.92 }),
      [0.78, 0.03, 0.07, 0.03, 0.03, 0.03, 0.03],
      [0.02, 0.0003, 0.003, 0.004, 0.006, 0.08, 0.8868],
    ),
    withParameters(
      nameComparison('lastName', { termFrequency: true, swappedWith: 'firstName', swapMin: 0.92 }),
      [0.8, 0.03, 0.08, 0.02, 0.02, 0.02, 0.03],
      [0.01, 0.0003, 0.002, 0.003, 0.005, 0.09, 0.8898],
    ),
    // Levels: exact, one-character typo, day/month swap, within 31 days, year ±1, else.
    withParameters(
      dateComparison('dateOfBirth'),
      [0.85, 0.08, 0.01, 0.01, 0.02, 0.03],
      [5e-5, 0.0015, 5e-5, 0.0028, 0.05, 0.9456],
    ),
    withParameters(exactComparison('gender'), [0.97, 0.03], [0.5, 0.5]),
    // Levels: exact, same dwelling, same street, same place, else.
    withParameters(
      addressComparison(),
      [0.62, 0.14, 0.05, 0.05, 0.14],
      [0.003, 0.004, 0.01, 0.1, 0.883],
    ),
  ],
};

/**
 * Default blocking, most specific first (the per-record cap prefers earlier rules). Each rule is
 * selective on its own; their union is what finds matches. On FEBRL3/FEBRL4, whose duplicates are
 * heavily corrupted, the union covers nearly every true pair with a few candidates per record,
 * where no single rule comes close:
 * - both names phonetically, in either order (catches typos, spelling variants and swapped fields);
 * - phonetic surname, or phonetic first name, with birth year (one name garbled);
 * - postcode with either initial (a name changed, e.g. on marriage, or a date wrong);
 * - street and house number (same address, names and date both noisy);
 * - full date of birth (both names garbled). In a large population this block is broad; the cap
 *   bounds it.
 */
export const DEFAULT_BLOCKING_RULES: readonly BlockingRule[] = [
  {
    name: 'names_dm',
    keys: ['firstName:dmetaphone', 'lastName:dmetaphone'],
    unordered: true,
  },
  { name: 'surname_dm_yob', keys: ['lastName:dmetaphone', 'dateOfBirth:year'] },
  { name: 'first_dm_yob', keys: ['firstName:dmetaphone', 'dateOfBirth:year'] },
  { name: 'postcode_first_initial', keys: ['postcode', 'firstName:initial'] },
  { name: 'postcode_last_initial', keys: ['postcode', 'lastName:initial'] },
  { name: 'street_number', keys: ['street', 'streetNumber'] },
  { name: 'dob', keys: ['dateOfBirth'] },
];

/** Default cap on candidates per record: generous for households, bounded for common names. */
export const DEFAULT_MAX_CANDIDATES_PER_RECORD = 200;
