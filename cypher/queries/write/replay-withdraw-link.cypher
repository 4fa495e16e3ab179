// `idgraph replay`: a link the source withdrew by a manual operation (a manual split, a revert),
// withdrawn again in the target at the source's time: the link between the same two identifiers,
// when it is active there. Locks the person first (the caller splits it when it no longer holds
// together, src/resolver/person-split.ts), then the link; audited as `link_withdrawn` with the
// source's reason.
MATCH (a:Identifier {key: $fromKey})-[:BELONGS_TO]->(p:Person)
SET p.status = p.status
WITH a, p
MATCH (a)-[l:LINKED]-(:Identifier {key: $toKey})
WHERE l.status = 'active'
SET
  l.status = 'withdrawn',
  l.withdrawnAt = toInteger($at),
  l.withdrawnReason = $reason,
  l.updatedAt = toInteger($now)
CREATE (audit:AuditRecord {
  id: $auditId,
  kind: 'link_withdrawn',
  at: toInteger($now),
  personIds: [p.id],
  linkId: l.id,
  method: l.method,
  rule: l.rule,
  confidence: l.confidence,
  reason: $reason,
  actor: 'replay'
})
CREATE (audit)-[:CONCERNS]->(p)
RETURN l.id AS linkId, p.id AS personId
