import type { ApiClient } from '../api/api-client.js';
import type { Link, Person, PersonLinks } from '../api/api-types.js';

/** A person as the view needs it: the person, its links, and under a scope the scoped part. */
export interface PersonData {
  person: Person;
  links: Link[];
  scoped?: Person;
}

/**
 * GET /v1/persons/{id} (a merged id answers with its survivor), its links and, with a scope, the
 * scoped person (the component of the person's oldest identifier, as the API answers a plain id
 * with a scope), read at once: each route follows a merged id to its survivor itself.
 */
export async function loadPerson(
  api: ApiClient,
  personId: string,
  scope: { purpose?: string; minConfidence?: number },
): Promise<PersonData> {
  const path = `/v1/persons/${encodeURIComponent(personId)}`;
  const scoped = scope.purpose !== undefined || scope.minConfidence !== undefined;
  const [person, links, scopedPerson] = await Promise.all([
    api.get<Person>(path),
    api.get<PersonLinks>(`${path}/links`),
    scoped ? api.get<Person>(path, scope) : Promise.resolve(undefined),
  ]);
  return { person, links: links.links, ...(scopedPerson ? { scoped: scopedPerson } : {}) };
}
