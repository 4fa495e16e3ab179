import { PersonNotFoundError, PersonNotYetCreatedError } from '../errors.js';
import type { Graph } from '../graph/graph-client.js';

/**
 * A person as it was at a time, from the membership history (BELONGS_TO since, WAS_IN from/to) and
 * the links' creation and withdrawal times. Values in this view are personal data.
 */

export interface PersonAtView {
  /** The person that held the asked id's identifiers at that time (see `personAt`). */
  personId: string;
  requestedId: string;
  at: string;
  identifiers: { type: string; value: string; since: string }[];
  links: {
    id: string;
    from: { type: string; value: string };
    to: { type: string; value: string };
    method: string;
    rule: string;
    confidence: number;
  }[];
}

interface PersonAtRow {
  personId: string;
  createdAt: number;
  status: string;
  identifiers: { type: string; value: string; since: number }[];
  links: {
    id: string;
    method: string;
    rule: string;
    confidence: number;
    fromType: string;
    fromValue: string;
    toType: string;
    toValue: string;
  }[];
  mergedInto: string | null;
}

/** More merges than this between an id and the person holding its identifiers is a cycle. */
const MAX_HOPS = 32;

/**
 * The person `requestedId` was at `at`: its own identifiers and links then, while it was a person
 * of its own (an id merged later answers as it was before its merge); an id already merged by then
 * answers with the person it had been merged into at that time, following merges made by then (a
 * merged id always answers for the person holding its identifiers, as GET /v1/persons/{id} does
 * now). An unknown id is PersonNotFoundError; a person created after `at`
 * PersonNotYetCreatedError.
 */
export async function personAt(
  graph: Pick<Graph, 'query'>,
  requestedId: string,
  at: Date,
): Promise<PersonAtView> {
  let id = requestedId;
  for (let hop = 0; hop <= MAX_HOPS; hop++) {
    const [row] = await graph.query<PersonAtRow>('read/person-at', {
      personId: id,
      at: at.getTime(),
    });
    if (!row) throw new PersonNotFoundError();
    if (row.createdAt > at.getTime()) throw new PersonNotYetCreatedError();
    if (row.identifiers.length === 0 && row.mergedInto !== null) {
      id = row.mergedInto;
      continue;
    }
    return view(row, requestedId, at);
  }
  throw new Error(`more than ${MAX_HOPS} merges between a person id and its survivor`);
}

function view(row: PersonAtRow, requestedId: string, at: Date): PersonAtView {
  return {
    personId: row.personId,
    requestedId,
    at: at.toISOString(),
    identifiers: row.identifiers.map((i) => ({
      type: i.type,
      value: i.value,
      since: new Date(i.since).toISOString(),
    })),
    links: row.links.map((l) => ({
      id: l.id,
      from: { type: l.fromType, value: l.fromValue },
      to: { type: l.toType, value: l.toValue },
      method: l.method,
      rule: l.rule,
      confidence: l.confidence,
    })),
  };
}
