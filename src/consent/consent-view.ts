import { PersonNotFoundError } from '../errors.js';
import type { Graph } from '../graph/graph-client.js';

/**
 * The consent a person's identifiers carry, for `GET /v1/persons/{id}/consent`: per purpose, per
 * identifier, the current state (what set it: an event or a privacy request, and when) and its
 * history, newest first. Identifier values are personal data, as in the person view.
 */

/** History entries answered per identifier and purpose; `historyTotal` counts them all. */
export const CONSENT_HISTORY_LIMIT = 100;

export interface ConsentEntryView {
  granted: boolean;
  /** When the assertion was made: the event's occurredAt, or the request's creation (ISO-8601). */
  at: string;
  /** The event's source, or `privacy_request`. */
  source: string;
  eventId: string | null;
  requestId: string | null;
}

export interface IdentifierConsentView {
  type: string;
  value: string;
  current: ConsentEntryView;
  history: (ConsentEntryView & { recordedAt: string })[];
  historyTotal: number;
}

export interface PersonConsentView {
  id: string;
  requestedId: string;
  purposes: { purpose: string; identifiers: IdentifierConsentView[] }[];
}

type HistoryTuple = [boolean, number, string, string | null, string | null, number];
type StateTuple = [
  purpose: string,
  type: string,
  value: string,
  granted: boolean,
  at: number,
  source: string,
  eventKey: string | null,
  requestId: string | null,
  historyTotal: number,
  history: HistoryTuple[],
];

const iso = (ms: number) => new Date(ms).toISOString();

/** An event key is `source/id`, and a source has no `/`: the id is what follows the first one. */
const eventIdOf = (eventKey: string | null) =>
  eventKey === null ? null : eventKey.slice(eventKey.indexOf('/') + 1);

function entry(
  granted: boolean,
  at: number,
  source: string,
  eventKey: string | null,
  requestId: string | null,
): ConsentEntryView {
  return { granted, at: iso(at), source, eventId: eventIdOf(eventKey), requestId };
}

/** A person's consent (a merged id answers with its survivor's). */
export async function personConsent(
  graph: Pick<Graph, 'query'>,
  personId: string,
): Promise<PersonConsentView> {
  const [row] = await graph.query<{ id: string; requestedId: string; states: StateTuple[] }>(
    'read/person-consent',
    { id: personId, historyLimit: CONSENT_HISTORY_LIMIT },
  );
  if (!row) throw new PersonNotFoundError();
  const purposes: PersonConsentView['purposes'] = [];
  // Rows come by purpose, then identifier key.
  for (const [
    purpose,
    type,
    value,
    granted,
    at,
    source,
    eventKey,
    requestId,
    total,
    history,
  ] of row.states) {
    let group = purposes.at(-1);
    if (group?.purpose !== purpose) purposes.push((group = { purpose, identifiers: [] }));
    group.identifiers.push({
      type,
      value,
      current: entry(granted, at, source, eventKey, requestId),
      history: history.map(([g, a, s, e, r, recordedAt]) => ({
        ...entry(g, a, s, e, r),
        recordedAt: iso(recordedAt),
      })),
      historyTotal: total,
    });
  }
  return { id: row.id, requestedId: row.requestedId, purposes };
}
