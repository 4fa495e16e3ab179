import type { Graph } from '../graph/graph-client.js';

/**
 * The audit trail of merges, refused merges, splits and privacy requests. Records name persons,
 * links, events, rules and reasons by id only, so the trail can be kept after the personal data it
 * describes is erased.
 */

export interface AuditRecord {
  id: string;
  kind: string;
  at: string;
  personIds: string[];
  survivorId?: string;
  absorbedIds?: string[];
  eventKey?: string;
  linkId?: string;
  linkIds?: string[];
  method?: string;
  rule?: string;
  confidence?: number;
  reason?: string;
  identifierType?: string;
  limit?: number;
  wouldHave?: number;
  competingLinkId?: string;
  competingConfidence?: number;
  jobId?: string;
  requestId?: string;
  requestType?: string;
  count?: number;
  purposes?: string[];
  note?: string;
  constraintIds?: string[];
  mergeAuditId?: string;
  restoredId?: string;
  revertedBy?: string;
  sourceAuditId?: string;
}

export type AuditService = ReturnType<typeof createAuditService>;

export function createAuditService(deps: { graph: Pick<Graph, 'query'> }) {
  return {
    async list(filter: {
      personId?: string | undefined;
      kind?: string | undefined;
      limit: number;
    }): Promise<AuditRecord[]> {
      const params = {
        personId: filter.personId ?? null,
        kind: filter.kind ?? null,
        limit: filter.limit,
      };
      const rows = await deps.graph.query<{ record: Record<string, unknown> & { at: number } }>(
        filter.personId ? 'read/audit-by-person' : 'read/audit-recent',
        params,
      );
      return rows.map(
        ({ record }) => ({ ...record, at: new Date(record.at).toISOString() }) as AuditRecord,
      );
    },
  };
}
