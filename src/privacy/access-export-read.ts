import type { Graph } from '../graph/graph-client.js';
import { provenance, type ScopeLinkProps } from '../persons/person-views.js';
import type { IdentifierRegistry } from '../resolver/identifier-types.js';
import type { PrivacyExport } from './access-export-contract.js';

/**
 * Reads what an access export holds about the subject (the `export` step, access-step.ts), the
 * subject's keys a page at a time (a person may hold thousands of identifiers). Reads take no
 * lock: the export shows the graph as the reads find it, as a lookup would.
 *
 * Only the subject's data goes in: a link counts when both its ends are subject identifiers, a
 * record when it is anchored on one, an event is cut to its subject identifiers (normalised with
 * the registry, as ingestion did, and compared by key) and keeps its attributes only when its
 * anchor — its smallest normalised key, as the resolver picks it — is the subject's; a review
 * names the subject's records only. What is left out is counted in `withheld`.
 */

export type ExportContent = Omit<
  PrivacyExport,
  'requestId' | 'createdAt' | 'expiresAt' | 'subject'
>;

type IdentifierRef = { type: string; value: string };

const iso = (ms: number) => new Date(ms).toISOString();
const isoOrNull = (ms: number | null | undefined) => (typeof ms === 'number' ? iso(ms) : null);

interface ConsentRow {
  purpose: string;
  granted: boolean;
  at: number;
  source: string;
  eventKey: string | null;
  requestId: string | null;
  recordedAt?: number;
}

interface IdentifierRow {
  key: string;
  type: string;
  value: string;
  createdAt: number;
  lastSeen: number | null;
  personId: string | null;
  states: ConsentRow[];
  changes: ConsentRow[];
}

interface RecordRow {
  record: {
    id: string;
    key: string;
    source: string;
    values: string;
    anchorKey: string;
    linking: boolean;
    purposes: string[] | null;
    createdAt: number;
  };
  reviews: {
    id: string;
    status: string;
    probability: number | null;
    modelVersion: string | null;
    decision: string | null;
    reason: string | null;
    decidedBy: string | null;
    decidedAt: number | null;
    createdAt: number;
  }[];
}

interface EventRow {
  key: string;
  occurredAt: number;
  receivedAt: number;
  payload: string;
}

interface RawEvent {
  id: string;
  source: string;
  identifiers: { type: string; value: string }[];
  attributes?: Record<string, unknown>;
  consent?: { purposes: Record<string, boolean> };
  confidence?: number;
}

const consentEntry = (c: ConsentRow) => ({
  granted: c.granted,
  at: iso(c.at),
  source: c.source,
  eventKey: c.eventKey ?? null,
  requestId: c.requestId ?? null,
});

function identifierOf(row: IdentifierRow): PrivacyExport['identifiers'][number] {
  return {
    type: row.type,
    value: row.value,
    personId: row.personId,
    firstSeen: iso(row.createdAt),
    lastSeen: isoOrNull(row.lastSeen),
    consent: row.states.map((s) => ({
      purpose: s.purpose,
      ...consentEntry(s),
      history: row.changes
        .filter((c) => c.purpose === s.purpose)
        .map((c) => ({ ...consentEntry(c), recordedAt: iso(c.recordedAt ?? c.at) })),
    })),
  };
}

/**
 * An audit record as the export shows it: ids only already, but the ids of persons that are not
 * the subject's (the other side of a refused merge, other parts of a split) are left out.
 */
function auditOf(
  record: Record<string, unknown> & { at: number },
  mine: ReadonlySet<string>,
  withheld: ExportContent['withheld'],
): ExportContent['audit'][number] {
  const { survivorId, absorbedIds, personIds, ...rest } = record;
  const own = (ids: unknown) => {
    const all = Array.isArray(ids) ? (ids as string[]) : [];
    withheld.auditPersonIds += all.filter((id) => !mine.has(id)).length;
    return all.filter((id) => mine.has(id));
  };
  const survivor = typeof survivorId === 'string' ? own([survivorId])[0] : undefined;
  return {
    ...rest,
    id: String(record.id),
    kind: String(record.kind),
    at: iso(record.at),
    personIds: own(personIds),
    ...(survivor ? { survivorId: survivor } : {}),
    ...(absorbedIds === undefined ? {} : { absorbedIds: own(absorbedIds) }),
  };
}

/** The event as the subject's: its subject identifiers, its attributes if anchored on one. */
function eventOf(
  row: EventRow,
  keys: ReadonlySet<string>,
  registry: Pick<IdentifierRegistry, 'normalize'>,
  withheld: ExportContent['withheld'],
): PrivacyExport['events'][number] {
  const raw = JSON.parse(row.payload) as RawEvent;
  const mine: { type: string; value: string }[] = [];
  let anchor: string | undefined;
  for (const identifier of raw.identifiers) {
    const normalised = registry.normalize(identifier.type, identifier.value);
    if (normalised.ok && (anchor === undefined || normalised.key < anchor)) anchor = normalised.key;
    if (normalised.ok && keys.has(normalised.key)) mine.push(identifier);
    else withheld.eventIdentifiers += 1;
  }
  const ownAttributes = anchor !== undefined && keys.has(anchor);
  if (raw.attributes !== undefined && !ownAttributes) withheld.eventAttributes += 1;
  return {
    key: row.key,
    source: raw.source,
    id: raw.id,
    occurredAt: iso(row.occurredAt),
    receivedAt: iso(row.receivedAt),
    identifiers: mine,
    ...(raw.attributes !== undefined && ownAttributes ? { attributes: raw.attributes } : {}),
    ...(raw.consent ? { consent: raw.consent } : {}),
    ...(raw.confidence !== undefined ? { confidence: raw.confidence } : {}),
  };
}

export async function readExportContent(
  graph: Pick<Graph, 'query'>,
  registry: Pick<IdentifierRegistry, 'normalize'>,
  subjectKeys: readonly string[],
  pageSize: number,
): Promise<ExportContent> {
  const keys = new Set(subjectKeys);
  const refOf = new Map<string, IdentifierRef>();
  const withheld = {
    links: 0,
    eventIdentifiers: 0,
    eventAttributes: 0,
    reviewRecords: 0,
    auditPersonIds: 0,
  };
  const identifiers: ExportContent['identifiers'] = [];
  const linkRows = new Map<string, { link: ScopeLinkProps; fromKey: string; toKey: string }>();
  const foreignLinks = new Set<string>();
  const records: ExportContent['records'] = [];
  const reviews = new Map<string, ExportContent['reviews'][number]>();
  const reviewRecords = new Map<string, number>();
  const events = new Map<string, EventRow>();
  const personIds = new Set<string>();

  for (let i = 0; i < subjectKeys.length; i += pageSize) {
    const page = { keys: subjectKeys.slice(i, i + pageSize) };
    for (const row of await graph.query<IdentifierRow>('read/privacy-export-identifiers', page)) {
      identifiers.push(identifierOf(row));
      refOf.set(row.key, { type: row.type, value: row.value });
      if (row.personId !== null) personIds.add(row.personId);
    }
    const rows = await graph.query<{ link: ScopeLinkProps; fromKey: string; toKey: string }>(
      'read/privacy-export-links',
      page,
    );
    for (const row of rows)
      if (!keys.has(row.fromKey) || !keys.has(row.toKey)) foreignLinks.add(row.link.id);
      else linkRows.set(row.link.id, row);
    for (const row of await graph.query<RecordRow>('read/privacy-export-records', page)) {
      records.push(recordOf(row, refOf));
      for (const review of row.reviews) {
        const known = reviews.get(review.id);
        if (known) known.records.push(row.record.id);
        else reviews.set(review.id, { ...reviewOf(review), records: [row.record.id] });
        reviewRecords.set(review.id, (reviewRecords.get(review.id) ?? 0) + 1);
      }
    }
    for (const row of await graph.query<EventRow>('read/privacy-export-events', page))
      events.set(row.key, row);
  }
  withheld.links = foreignLinks.size;
  // A review is about two records: those not the subject's are withheld.
  for (const n of reviewRecords.values()) withheld.reviewRecords += Math.max(0, 2 - n);

  const [people] = await graph.query<{
    persons: {
      id: string;
      status: string;
      createdAt: number;
      updatedAt: number;
      merged: string[];
    }[];
    audit: (Record<string, unknown> & { at: number })[];
  }>('read/privacy-export-persons', { personIds: [...personIds].sort() });
  const mine = new Set((people?.persons ?? []).flatMap((p) => [p.id, ...p.merged]));
  return {
    persons: (people?.persons ?? []).map((p) => ({
      id: p.id,
      status: p.status,
      createdAt: iso(p.createdAt),
      updatedAt: iso(p.updatedAt),
      mergedFrom: p.merged,
    })),
    identifiers,
    // Both ends are subject identifiers, read by now whichever page they were on.
    links: [...linkRows.values()]
      .map((row) => linkOf(row.link, refOf.get(row.fromKey)!, refOf.get(row.toKey)!))
      .sort((a, b) => (a.id < b.id ? -1 : 1)),
    records,
    events: [...events.values()]
      .sort((a, b) => a.occurredAt - b.occurredAt || (a.key < b.key ? -1 : 1))
      .map((row) => eventOf(row, keys, registry, withheld)),
    reviews: [...reviews.values()].sort((a, b) => (a.id < b.id ? -1 : 1)),
    audit: (people?.audit ?? []).map((record) => auditOf(record, mine, withheld)),
    withheld,
  };
}

function linkOf(
  l: ScopeLinkProps,
  from: IdentifierRef,
  to: IdentifierRef,
): ExportContent['links'][number] {
  return { id: l.id, from, to, ...provenance(l) };
}

function recordOf(
  { record: r }: RecordRow,
  refOf: ReadonlyMap<string, IdentifierRef>,
): ExportContent['records'][number] {
  return {
    id: r.id,
    eventKey: r.key,
    source: r.source,
    // Its anchor is the page's identifier it was read from, read just before it.
    anchor: refOf.get(r.anchorKey)!,
    values: JSON.parse(r.values) as Record<string, unknown>,
    linking: r.linking,
    purposes: r.purposes ?? [],
    createdAt: iso(r.createdAt),
  };
}

function reviewOf(
  rv: RecordRow['reviews'][number],
): Omit<ExportContent['reviews'][number], 'records'> {
  return {
    id: rv.id,
    status: rv.status,
    probability: rv.probability ?? null,
    modelVersion: rv.modelVersion ?? null,
    decision: rv.decision ?? null,
    reason: rv.reason ?? null,
    decidedBy: rv.decidedBy ?? null,
    decidedAt: isoOrNull(rv.decidedAt),
    createdAt: iso(rv.createdAt),
  };
}
