// Records a link's new score under the current model: kept (new confidence, version, explanation)
// or withdrawn (status `withdrawn`, kept as history; the caller splits the person when the link held
// it together). A withdrawal is audited by ids only. The current model's template is recorded
// first when missing ($model: {version, checksum, template}; write/record-model says why).
CALL () {
  MERGE (m:MatchModel {version: $model.version})
    ON CREATE SET m.checksum = $model.checksum, m.template = $model.template, m.createdAt = toInteger($now)
}
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
