import { MISSING_LEVEL } from './comparison-levels.js';
import type { FellegiSunterModel } from './fellegi-sunter.js';

/**
 * Identity evidence: a pair is linked automatically only when something about the person
 * themselves agrees, not only what they share with the people they live with. Surname and address
 * are shared by a household, so a pair agreeing on them with a different first name and a different
 * birth date (the classic false positive of record linkage: two members of one family) can reach
 * any probability the model gives; the decision then stops at review, where a person decides.
 *
 * "Agrees" means: among the comparisons on the identity attributes, at least one reached a level
 * that is evidence for a match (m > u, a positive weight), for instance a first name within a typo
 * or a birth date exact or swapped. A missing value is no evidence either way.
 */

/** The identity attributes unless configured (MATCH_IDENTITY_ATTRIBUTES). */
export const DEFAULT_IDENTITY_ATTRIBUTES: readonly string[] = ['firstName', 'dateOfBirth'];

/** Why a pair at or above the auto threshold went to review instead of being linked. */
export const HOLD_REASONS = ['identity_evidence'] as const;
export type HoldReason = (typeof HOLD_REASONS)[number];

/**
 * Whether a comparison vector (level per comparison, in model order) holds identity evidence, for
 * `model` and the identity `attributes`; undefined when `attributes` is empty (the check is off).
 * Throws when the model compares none of them: no pair could ever be linked.
 */
export function identityEvidenceCheck(
  model: FellegiSunterModel,
  attributes: readonly string[],
): ((vector: readonly number[]) => boolean) | undefined {
  if (attributes.length === 0) return undefined;
  // Per identity comparison: its index, and per level whether it is evidence for a match.
  const checked = model.comparisons.flatMap((comparison, index) =>
    attributes.includes(comparison.attribute)
      ? [{ index, evidence: comparison.levels.map((level) => level.m > level.u) }]
      : [],
  );
  if (checked.length === 0)
    throw new Error(
      `identity attributes ${attributes.join(', ')}: model ${model.version} compares none of them ` +
        '(name attributes it compares, or turn the check off)',
    );
  return (vector) =>
    checked.some(({ index, evidence }) => {
      const level = vector[index] ?? MISSING_LEVEL;
      return level !== MISSING_LEVEL && evidence[level] === true;
    });
}
