// Audit records for refused merges. Runs before upsert-links: a link already refused earlier gets its
// new evidence but no second record, so a device seen a thousand times does not flood the trail.
// Records hold ids, rule and reason only: no identifier values.
UNWIND $rows AS row
OPTIONAL MATCH (:Identifier {key: row.fromKey})-[l:LINKED]->(:Identifier {key: row.toKey})
WITH row, l
WHERE l IS NULL OR l.status <> 'refused'
CREATE (a:AuditRecord {
  id: row.id,
  kind: 'merge_refused',
  at: toInteger($now),
  personIds: row.personIds,
  eventKey: row.eventKey,
  linkId: coalesce(l.id, row.linkId),
  method: 'deterministic',
  rule: row.rule,
  confidence: row.confidence,
  reason: 'limit_exceeded',
  identifierType: row.identifierType,
  limit: row.limit,
  wouldHave: row.wouldHave,
  jobId: $jobId
})
WITH a, row
MATCH (p:Person)
WHERE p.id IN row.personIds
CREATE (a)-[:CONCERNS]->(p)
