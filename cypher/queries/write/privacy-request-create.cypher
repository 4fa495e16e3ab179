// Stores a new privacy request, or finds the one made earlier with the same client requestId:
// MERGE on the uniquely constrained clientRequestId, so two racing repeats make one request.
// $request holds the node's properties but its times (ids, type, actor, reason, purposes, hashed
// subject; never an identifier value). A request made here is audited as `privacy_request` (type,
// actor, reason, request id), concerning the subject person when there is one. `created` tells
// the caller whether this call made it.
CALL () {
  WITH $clientRequestId AS clientRequestId
  WHERE clientRequestId IS NOT NULL
  MERGE (r:PrivacyRequest {clientRequestId: clientRequestId})
    ON CREATE SET r += $request, r.createdAt = toInteger($now), r.updatedAt = toInteger($now)
  RETURN r
  UNION
  WITH $clientRequestId AS clientRequestId
  WHERE clientRequestId IS NULL
  CREATE (r:PrivacyRequest)
  SET r += $request, r.createdAt = toInteger($now), r.updatedAt = toInteger($now)
  RETURN r
}
WITH r, r.id = $request.id AS created
CALL (r, created) {
  WITH r
  WHERE created
  CREATE (a:AuditRecord {
    id: $auditId,
    kind: 'privacy_request',
    at: r.createdAt,
    personIds: CASE WHEN r.subjectPersonId IS NULL THEN [] ELSE [r.subjectPersonId] END,
    requestId: r.id,
    requestType: r.type,
    actor: r.actor,
    reason: r.reason
  })
  WITH a, r
  OPTIONAL MATCH (p:Person {id: r.subjectPersonId})
  FOREACH (person IN CASE WHEN p IS NULL THEN [] ELSE [p] END | CREATE (a)-[:CONCERNS]->(person))
}
RETURN r {.*} AS request, created
