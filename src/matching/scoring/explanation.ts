import { createHash } from 'node:crypto';
import { levelLabel, MISSING_LEVEL } from './comparison-levels.js';
import {
  type ComparisonExplanation,
  type FellegiSunterModel,
  levelWeight,
  type PairScore,
  priorWeight,
} from './fellegi-sunter.js';
import type { HoldReason } from './identity-evidence.js';

/**
 * How a match's explanation is stored: what a pair reached (a level and any term-frequency
 * adjustment per comparison, the weight and the probability) on every link and review, and what a
 * model version means (per comparison its name, attribute and per level its label, m, u and
 * weight) once per version, in a `MatchModel` node. Explaining joins the two.
 *
 * Links store only what the pair reached because the whole explanation, on every link, would be
 * most of what a batch sends to the graph and writes to it. The explanation served is the same, to
 * the bit: a weight is the model's level weight plus the stored adjustment, as when it was scored.
 */

/** What a model version means, for explanations. */
export interface ModelTemplate {
  readonly priorWeight: number;
  readonly comparisons: readonly {
    readonly comparison: string;
    readonly attribute: string;
    readonly levels: readonly {
      readonly label: string;
      readonly m: number;
      readonly u: number;
      readonly weight: number;
    }[];
  }[];
}

/** A match's explanation as links and reviews store it (JSON). */
interface StoredExplanation {
  modelVersion: string;
  matchWeight: number;
  probability: number;
  /** Level per comparison, -1 when either value was missing. */
  levels: number[];
  /** Term-frequency adjustment per comparison, null for none; absent when there is none at all. */
  tf?: (number | null)[];
  /** Why a pair at or above the auto threshold was reviewed rather than linked; absent otherwise. */
  held?: HoldReason;
}

/** The explanation served: a score with one entry per comparison. */
export interface MatchExplanation {
  modelVersion: string;
  probability: number;
  matchWeight: number;
  priorWeight: number;
  comparisons: ComparisonExplanation[];
  /**
   * Set when the probability reached the auto threshold but the pair was held for review:
   * `identity_evidence` when nothing but household attributes (MATCH_HOUSEHOLD_ATTRIBUTES) agreed.
   */
  held?: HoldReason;
}

const templates = new WeakMap<FellegiSunterModel, { json: string; checksum: string }>();

/** A model's template as `MatchModel.template` stores it, with its checksum. */
export function modelTemplate(model: FellegiSunterModel): { json: string; checksum: string } {
  let known = templates.get(model);
  if (!known) {
    const template: ModelTemplate = {
      priorWeight: priorWeight(model.lambda),
      comparisons: model.comparisons.map((c) => ({
        comparison: c.name,
        attribute: c.attribute,
        levels: c.levels.map((l) => ({
          label: levelLabel(l.when),
          m: l.m,
          u: l.u,
          weight: levelWeight(l.m, l.u),
        })),
      })),
    };
    const json = JSON.stringify(template);
    known = { json, checksum: createHash('sha256').update(json).digest('hex') };
    templates.set(model, known);
  }
  return known;
}

/**
 * The explanation stored on a link or review: no attribute value, no model parameter; `held`, the
 * decision's reason when a pair at or above the auto threshold was only reviewed.
 */
export function storedExplanation(score: PairScore, held?: HoldReason): string {
  const stored: StoredExplanation = {
    modelVersion: score.modelVersion,
    matchWeight: score.matchWeight,
    probability: score.probability,
    levels: score.vector.map((c) => c.level),
  };
  if (score.vector.some((c) => c.tfAdjustment !== undefined))
    stored.tf = score.vector.map((c) => c.tfAdjustment ?? null);
  if (held !== undefined) stored.held = held;
  return JSON.stringify(stored);
}

/**
 * The explanation of a stored one, with its model's template (`MatchModel.template`). Links scored
 * before templates existed carry the whole explanation and are returned as they are. Null when the
 * template is missing (every batch writes its model's before its links, so only a graph edited by
 * hand lacks one).
 */
export function expandExplanation(
  stored: string,
  template: string | null | undefined,
): MatchExplanation | null {
  const parsed = JSON.parse(stored) as StoredExplanation | MatchExplanation;
  if ('comparisons' in parsed) return parsed;
  if (typeof template !== 'string') return null;
  const model = JSON.parse(template) as ModelTemplate;
  return {
    modelVersion: parsed.modelVersion,
    probability: parsed.probability,
    matchWeight: parsed.matchWeight,
    priorWeight: model.priorWeight,
    ...(parsed.held === undefined ? {} : { held: parsed.held }),
    comparisons: model.comparisons.map((c, index): ComparisonExplanation => {
      const level = parsed.levels[index] ?? MISSING_LEVEL;
      const reached = level === MISSING_LEVEL ? undefined : c.levels[level];
      if (reached === undefined)
        return {
          comparison: c.comparison,
          attribute: c.attribute,
          level: MISSING_LEVEL,
          label: 'missing',
          m: null,
          u: null,
          weight: 0,
        };
      const tfAdjustment = parsed.tf?.[index] ?? undefined;
      return {
        comparison: c.comparison,
        attribute: c.attribute,
        level,
        label: reached.label,
        m: reached.m,
        u: reached.u,
        weight: tfAdjustment === undefined ? reached.weight : reached.weight + tfAdjustment,
        ...(tfAdjustment === undefined ? {} : { tfAdjustment }),
      };
    }),
  };
}
