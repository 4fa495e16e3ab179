// Records a link's new score under the current model: kept (new confidence, version, explanation)
// or withdrawn (status `withdrawn`, kept as history; the caller splits the person when the link held
// it together). A withdrawal is audited by ids only.
MATCH ()-[l:LINKED {id: $linkId}]->()
SET
  l.status = CASE WHEN $keep THEN l.status ELSE 'withdrawn' END,
  l.confidence = $confidence,
  l.modelVersion = $modelVersion,
  l.explanation = $explanation,
  l.updatedAt = toInteger($now)
WITH l
CALL (l) {
  WITH l
  WHERE NOT $keep
  CREATE (audit:AuditRecord {
    id: $auditId,
    kind: 'link_withdrawn',
    at: toInteger($now),
    personIds: [$personId],
    linkId: l.id,
    method: l.method,
    rule: l.rule,
    modelVersion: $modelVersion,
    confidence: $confidence,
    reason: 'rescored_below_threshold'
  })
  WITH audit
  MATCH (p:Person {id: $personId})
  CREATE (audit)-[:CONCERNS]->(p)
}
