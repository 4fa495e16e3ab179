import { appendChanges, splitChanges } from '../changes/change-outbox.js';
import type { ChangeEntry } from '../changes/change-contract.js';
import type { GraphTx } from '../graph/graph-client.js';
import { newId } from '../ids.js';
import { linkComponents } from '../resolver/person-split.js';
import type { PrivacyRequestInfo } from './privacy-step.js';

/**
 * What an erasure does to the persons that held the erased identifiers, in the transaction that
 * erased a page of them, with the persons write-locked. A person is the connected component of
 * its active links, so it is partitioned again by the links left among its identifiers that are not
 * the subject's (those of later pages go too, so they do not hold anything together): the part
 * with the oldest identifier keeps the id (src/resolver/person-split.ts), the others become new
 * persons (`split`, reason `erasure`; feed `person.split`, `identifier.moved`). A person left with
 * no identifier is deleted with the merged tombstones that point at it (feed `person.erased` for
 * each id). A person holding only subject identifiers of later pages waits for them.
 */

export interface SettledPersons {
  erased: string[];
  splits: { personId: string; parts: string[] }[];
}

interface Components {
  identifiers: [key: string, elementId: string, createdAt: number][];
  links: [string, string][];
}

export async function settlePersons(
  tx: GraphTx,
  input: {
    personIds: readonly string[];
    subject: ReadonlySet<string>;
    request: Pick<PrivacyRequestInfo, 'id' | 'type' | 'actor'>;
    now: number;
  },
): Promise<SettledPersons> {
  const { subject, now } = input;
  const empty: string[] = [];
  const splits: {
    personId: string;
    linkIds: string[];
    auditId: string;
    parts: [string, string[]][];
    requestId: string;
    requestType: string;
    actor: string;
  }[] = [];
  for (const personId of input.personIds) {
    const [row] = await tx.run<Components>('read/person-components', { personId });
    const identifiers = row?.identifiers ?? [];
    if (identifiers.length === 0) {
      empty.push(personId);
      continue;
    }
    const others = identifiers.filter(([key]) => !subject.has(key));
    if (others.length === 0) continue;
    const oldest = [...others].sort((a, b) => a[2] - b[2] || (a[0] < b[0] ? -1 : 1))[0]![0];
    const parts = linkComponents(
      others.map(([key]) => key),
      row!.links,
      oldest,
    );
    if (parts.length < 2) continue;
    const elementIdOf = new Map(identifiers.map(([key, id]) => [key, id]));
    splits.push({
      personId,
      linkIds: [],
      auditId: newId('aud'),
      parts: parts.slice(1).map((keys) => [newId('per'), keys.map((k) => elementIdOf.get(k)!)]),
      // write/split-person names the request on the split's audit record.
      requestId: input.request.id,
      requestType: input.request.type,
      actor: input.request.actor,
    });
  }

  const changes: ChangeEntry[] = [];
  if (splits.length > 0) {
    await tx.run('write/split-person', { reason: 'erasure', now, splits });
    for (const split of splits)
      changes.push(
        ...splitChanges(
          split.personId,
          split.parts.map(([personId, ids]) => ({ personId, identifiers: ids.length })),
          now,
        ),
      );
  }
  const erased: string[] = [];
  if (empty.length > 0) {
    const rows = await tx.run<{ ids: string[] }>('write/erase-persons', { personIds: empty });
    for (const { ids } of rows) erased.push(...ids);
    for (const personId of erased) changes.push({ type: 'person.erased', at: now, personId });
  }
  await appendChanges(tx, changes, { requestId: input.request.id });
  return {
    erased,
    splits: splits.map((s) => ({ personId: s.personId, parts: s.parts.map(([id]) => id) })),
  };
}
