// Splits a locked person: each part in $parts ([newPersonId, identifier element ids]) becomes a new
// person and its identifiers move there; the rest stay. One `split` audit record names all the
// persons and the link whose withdrawal caused it, by id only.
MATCH (p:Person {id: $personId})
SET p.updatedAt = toInteger($now)
WITH p
CALL (p) {
  UNWIND $parts AS part
  CREATE (q:Person {id: part[0], status: 'active', createdAt: toInteger($now), updatedAt: toInteger($now), splitFrom: p.id})
  WITH p, q, part
  UNWIND part[1] AS identifierId
  MATCH (i:Identifier)
  WHERE elementId(i) = identifierId
  MATCH (i)-[r:BELONGS_TO]->(p)
  DELETE r
  CREATE (i)-[:BELONGS_TO]->(q)
}
CREATE (audit:AuditRecord {
  id: $auditId,
  kind: 'split',
  at: toInteger($now),
  personIds: [p.id] + [part IN $parts | part[0]],
  linkId: $linkId,
  reason: $reason
})
WITH audit
MATCH (q:Person)
WHERE q.id IN audit.personIds
CREATE (audit)-[:CONCERNS]->(q)
