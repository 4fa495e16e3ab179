// Splits locked persons, one row of $splits each ({personId, parts, linkIds, auditId}): each part
// ([newPersonId, identifier element ids]) becomes a new person and its identifiers move there; the
// rest stay; a moved identifier keeps its membership of the person as WAS_IN {from, to} (see
// write/apply-plan). One `split` audit record per person names all the persons and the links whose
// withdrawal caused it (`linkIds`, the first also as `linkId`) and $reason, by id only; a split a
// privacy request makes also names the request, its type and actor (`requestId`, `requestType`,
// `actor` in the row; absent otherwise). Returns the persons' element ids: the caller may grow the
// new ones.
UNWIND $splits AS split
MATCH (p:Person {id: split.personId})
SET p.updatedAt = toInteger($now)
WITH p, split
CALL (p, split) {
  UNWIND split.parts AS part
  CREATE (q:Person {id: part[0], status: 'active', createdAt: toInteger($now), updatedAt: toInteger($now), splitFrom: p.id})
  WITH p, q, part
  UNWIND part[1] AS identifierId
  MATCH (i:Identifier)
  WHERE elementId(i) = identifierId
  MATCH (i)-[r:BELONGS_TO]->(p)
  CREATE (i)-[:WAS_IN {from: coalesce(r.since, i.createdAt), to: toInteger($now)}]->(p)
  DELETE r
  CREATE (i)-[:BELONGS_TO {since: toInteger($now)}]->(q)
}
CREATE (audit:AuditRecord {
  id: split.auditId,
  kind: 'split',
  at: toInteger($now),
  personIds: [p.id] + [part IN split.parts | part[0]],
  linkId: split.linkIds[0],
  linkIds: split.linkIds,
  reason: $reason,
  requestId: split.requestId,
  requestType: split.requestType,
  actor: split.actor
})
WITH audit
MATCH (q:Person)
WHERE q.id IN audit.personIds
CREATE (audit)-[:CONCERNS]->(q)
RETURN collect([q.id, elementId(q)]) AS persons
