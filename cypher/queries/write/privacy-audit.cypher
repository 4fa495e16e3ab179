// Audit records a privacy request's step writes, in the step's transaction: $records [{id, kind,
// fields}] where fields holds personIds, link ids, a reason code, counts, purposes (ids and codes,
// never values); every record names the request, its type and actor. Each concerns the persons it
// names that still exist.
UNWIND $records AS rec
CREATE (a:AuditRecord {
  id: rec.id,
  kind: rec.kind,
  at: toInteger($now),
  requestId: $requestId,
  requestType: $requestType,
  actor: $actor
})
SET a += rec.fields
WITH a
CALL (a) {
  MATCH (p:Person)
  WHERE p.id IN a.personIds
  CREATE (a)-[:CONCERNS]->(p)
}
RETURN count(a) AS written
