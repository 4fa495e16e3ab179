import type { GraphTx } from '../graph/graph-client.js';
import { newId } from '../ids.js';
import type { PrivacyAuditEntry, PrivacyRequestInfo } from './privacy-step.js';

/**
 * Writes a step's audit records in its transaction (write/privacy-audit). Each record names the
 * request, its type and actor; the entry adds ids, a reason code, counts and purposes. Values never
 * reach an audit record: the entry's type has no field for one.
 */
export async function writeAuditEntries(
  tx: GraphTx,
  request: Pick<PrivacyRequestInfo, 'id' | 'type' | 'actor'>,
  entries: readonly PrivacyAuditEntry[],
  now: number,
): Promise<void> {
  if (entries.length === 0) return;
  const records = entries.map(({ kind, personIds, ...rest }) => ({
    id: newId('aud'),
    kind,
    fields: {
      personIds: [...(personIds ?? [])],
      ...Object.fromEntries(Object.entries(rest).filter(([, value]) => value !== undefined)),
    },
  }));
  await tx.run('write/privacy-audit', {
    records,
    requestId: request.id,
    requestType: request.type,
    actor: request.actor,
    now,
  });
}
