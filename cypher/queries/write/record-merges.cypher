// Audit records for merges, written in the transaction that merges. Runs after upsert-links so the
// record names the link that caused the merge by its id. No identifier values.
UNWIND $rows AS row
MATCH (:Identifier {key: row.fromKey})-[l:LINKED]->(:Identifier {key: row.toKey})
CREATE (a:AuditRecord {
  id: row.id,
  kind: 'merge',
  at: toInteger($now),
  survivorId: row.survivorId,
  absorbedIds: [row.absorbedId],
  personIds: [row.survivorId, row.absorbedId],
  eventKey: row.eventKey,
  linkId: l.id,
  method: l.method,
  rule: row.rule,
  confidence: row.confidence,
  jobId: $jobId
})
WITH a, row
MATCH (p:Person)
WHERE p.id IN [row.survivorId, row.absorbedId]
CREATE (a)-[:CONCERNS]->(p)
