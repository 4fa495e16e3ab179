import type { Graph } from '../graph/graph-client.js';
import { NotFoundError } from '../errors.js';
import { expandExplanation } from '../matching/scoring/explanation.js';
import type { HoldReason } from '../matching/scoring/identity-evidence.js';

/**
 * Why a link exists. A probabilistic link carries the comparison vector of its best-scored record
 * pair: per comparison the level reached, m, u and the weight it added (in bits), with the prior and
 * the model version, so the probability can be recomputed by hand. A deterministic link is explained
 * by its rule and evidence events; a manual one by the review that decided it.
 */

export class LinkNotFoundError extends NotFoundError {
  constructor() {
    super('link', 'LINK_NOT_FOUND');
  }
}

export interface LinkExplanation {
  id: string;
  status: string;
  method: string;
  rule: string;
  confidence: number;
  from: { type: string; value: string; personId: string | null };
  to: { type: string; value: string; personId: string | null };
  modelVersion: string | null;
  /** Ids of the two records the probability was computed on. */
  recordIds: string[];
  match: {
    probability: number;
    matchWeight: number;
    priorWeight: number;
    comparisons: {
      comparison: string;
      attribute: string;
      level: number;
      label: string;
      m: number | null;
      u: number | null;
      weight: number;
      tfAdjustment?: number;
    }[];
    /** Why the pair was held for review although it reached the auto threshold. */
    held?: HoldReason;
  } | null;
  evidenceEvents: string[];
  evidenceCount: number;
  sources: string[];
  purposes: string[];
}

export type LinkExplainService = ReturnType<typeof createLinkExplainService>;

export function createLinkExplainService(deps: { graph: Pick<Graph, 'query'> }) {
  return {
    async explain(linkId: string): Promise<LinkExplanation> {
      const [row] = await deps.graph.query<{
        link: Record<string, unknown>;
        fromType: string;
        fromValue: string;
        toType: string;
        toValue: string;
        fromPersonId: string | null;
        toPersonId: string | null;
        recordIds: string[];
        template: string | null;
      }>('read/link-explain', { linkId });
      if (!row) throw new LinkNotFoundError();
      const l = row.link;
      const stored =
        typeof l.explanation === 'string' ? expandExplanation(l.explanation, row.template) : null;
      return {
        id: l.id as string,
        status: l.status as string,
        method: l.method as string,
        rule: l.rule as string,
        confidence: l.confidence as number,
        from: { type: row.fromType, value: row.fromValue, personId: row.fromPersonId },
        to: { type: row.toType, value: row.toValue, personId: row.toPersonId },
        modelVersion: (l.modelVersion as string | undefined) ?? null,
        recordIds: row.recordIds,
        match: stored
          ? {
              probability: stored.probability,
              matchWeight: stored.matchWeight,
              priorWeight: stored.priorWeight,
              comparisons: stored.comparisons,
              ...(stored.held === undefined ? {} : { held: stored.held }),
            }
          : null,
        evidenceEvents: (l.events as string[] | undefined) ?? [],
        evidenceCount: (l.evidenceCount as number | undefined) ?? 0,
        sources: (l.sources as string[] | undefined) ?? [],
        purposes: (l.purposes as string[] | undefined) ?? [],
      };
    },
  };
}
