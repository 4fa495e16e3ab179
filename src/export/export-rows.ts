/**
 * What `idgraph export` writes: the identifier -> person mapping, or the links, one flat row per
 * identifier or link with the same fields in both formats (NDJSON keys, CSV columns), so a
 * warehouse table has one schema whichever format loads it. Times are ISO-8601 UTC, as the API
 * gives them. Identifier values are personal data: rows go to the export's output only.
 */

export type ExportTable = 'identifiers' | 'links';

/** A row of read/export-identifiers-page. */
export interface IdentifierPageRow {
  key: string;
  type: string;
  value: string;
  /** Null for an identifier without an active person (not exported). */
  personId: string | null;
  firstSeen: number | null;
  lastSeen: number | null;
}

/** What a link row takes from the link as it is stored. */
interface LinkFields {
  id: string;
  status: string;
  method: string;
  rule: string;
  confidence: number;
  evidenceCount: number | null;
  modelVersion: string | null;
}

/** A link as read/export-links-page gives it, below its start identifier. */
export interface LinkCell extends LinkFields {
  toType: string;
  toValue: string;
  purposes: string[] | null;
  sources: string[] | null;
  firstSeen: number | null;
  lastSeen: number | null;
}

/** A row of read/export-links-page: one identifier and the links that start at it. */
export interface LinkPageRow {
  key: string;
  fromType: string;
  fromValue: string;
  links: LinkCell[];
}

export interface IdentifierExportRow {
  type: string;
  value: string;
  personId: string;
  firstSeen: string | null;
  lastSeen: string | null;
}

export interface LinkExportRow extends LinkFields {
  fromType: string;
  fromValue: string;
  toType: string;
  toValue: string;
  purposes: string[];
  sources: string[];
  firstSeen: string | null;
  lastSeen: string | null;
}

/** The fields of each table, in output order: the NDJSON keys and the CSV header. */
export const exportColumns = {
  identifiers: ['type', 'value', 'personId', 'firstSeen', 'lastSeen'],
  links: [
    'id',
    'fromType',
    'fromValue',
    'toType',
    'toValue',
    'status',
    'method',
    'rule',
    'confidence',
    'purposes',
    'sources',
    'firstSeen',
    'lastSeen',
    'evidenceCount',
    'modelVersion',
  ],
} as const satisfies {
  identifiers: readonly (keyof IdentifierExportRow)[];
  links: readonly (keyof LinkExportRow)[];
};

const iso = (ms: number | null) => (typeof ms === 'number' ? new Date(ms).toISOString() : null);

/** The page's exported identifiers: those with an active person. */
export function identifierRows(page: readonly IdentifierPageRow[]): IdentifierExportRow[] {
  const rows: IdentifierExportRow[] = [];
  for (const r of page) {
    if (r.personId === null) continue;
    rows.push({
      type: r.type,
      value: r.value,
      personId: r.personId,
      firstSeen: iso(r.firstSeen),
      lastSeen: iso(r.lastSeen),
    });
  }
  return rows;
}

/** The page's links, flattened: one row per link, at its start identifier. */
export function linkRows(page: readonly LinkPageRow[]): LinkExportRow[] {
  const rows: LinkExportRow[] = [];
  for (const r of page) {
    for (const l of r.links) {
      rows.push({
        id: l.id,
        fromType: r.fromType,
        fromValue: r.fromValue,
        toType: l.toType,
        toValue: l.toValue,
        status: l.status,
        method: l.method,
        rule: l.rule,
        confidence: l.confidence,
        purposes: l.purposes ?? [],
        sources: l.sources ?? [],
        firstSeen: iso(l.firstSeen),
        lastSeen: iso(l.lastSeen),
        evidenceCount: l.evidenceCount,
        modelVersion: l.modelVersion,
      });
    }
  }
  return rows;
}
