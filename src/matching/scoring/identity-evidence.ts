import { MISSING_LEVEL } from './comparison-levels.js';
import type { FellegiSunterModel } from './fellegi-sunter.js';

/**
 * Identity evidence: a pair is linked automatically only when something about the person
 * themselves agrees, not only what they share with the people they live with. Surname and address
 * are shared by a household (and gender tells people apart only weakly), so a pair agreeing on them
 * with a different first name and a different birth date (the classic false positive of record
 * linkage: two members of one family) can reach any probability the model gives; the decision then
 * stops at review, where a person decides.
 *
 * "Agrees" means: some comparison on an attribute that is not a household attribute reached a
 * level that is evidence for a match (m > u, a positive weight): a first name within a typo, a
 * birth date exact or swapped, a national id, an email. A missing value is no evidence either way.
 */

/** The household attributes unless configured (MATCH_HOUSEHOLD_ATTRIBUTES). */
export const DEFAULT_HOUSEHOLD_ATTRIBUTES: readonly string[] = [
  'lastName',
  'address',
  'street',
  'streetNumber',
  'postcode',
  'city',
  'state',
  'country',
  'gender',
];

/** Why a pair at or above the auto threshold went to review instead of being linked. */
export const HOLD_REASONS = ['identity_evidence'] as const;
export type HoldReason = (typeof HOLD_REASONS)[number];

/**
 * Whether a comparison vector (level per comparison, in model order) holds identity evidence, for
 * `model` and its `household` attributes; undefined when `household` is empty (the check is off).
 * Throws when the model compares nothing else: no pair could ever be linked.
 */
export function identityEvidenceCheck(
  model: FellegiSunterModel,
  household: readonly string[],
): ((vector: readonly number[]) => boolean) | undefined {
  if (household.length === 0) return undefined;
  // Per identifying comparison: its index, and per level whether it is evidence for a match.
  const checked = model.comparisons.flatMap((comparison, index) =>
    household.includes(comparison.attribute)
      ? []
      : [{ index, evidence: comparison.levels.map((level) => level.m > level.u) }],
  );
  if (checked.length === 0)
    throw new Error(
      `household attributes ${household.join(', ')}: model ${model.version} compares nothing else ` +
        '(leave out an attribute that identifies a person, or turn the check off)',
    );
  return (vector) =>
    checked.some(({ index, evidence }) => {
      const level = vector[index] ?? MISSING_LEVEL;
      return level !== MISSING_LEVEL && evidence[level] === true;
    });
}
