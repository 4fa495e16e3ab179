// Records the new scores of probabilistic links under the current model, for `idgraph model
// rescore`: each kept (new confidence, version, explanation) or withdrawn (status `withdrawn`, kept
// as history; the caller then splits the person when the link held it together). A withdrawal is
// audited by ids only. The current model's template is recorded first when missing ($model:
// {version, checksum, template}; write/record-model says why).
//
// The links' persons are write-locked first, in id order as every resolver transaction locks
// persons, because whatever writes a link holds its persons' locks; under them a link is written
// only when it is still what was scored: in the person locked (not moved by a split or merge since
// the person was found), active, probabilistic, scored by the version read and on the record pair
// read. A link that changed meanwhile is left out of the answer (the caller scores it again under
// its lock).
// $rows: [[link id, keep, confidence, explanation, audit id, version read, record pair read]].
CYPHER replan=skip
CALL () {
  MERGE (m:MatchModel {version: $model.version})
    ON CREATE SET m.checksum = $model.checksum, m.template = $model.template, m.createdAt = toInteger($now)
}
CALL () {
  UNWIND $rows AS row
  MATCH (a:Identifier)-[:LINKED {id: row[0]}]->(:Identifier)
  MATCH (a)-[:BELONGS_TO]->(p:Person)
  WITH DISTINCT p
  ORDER BY p.id
  SET p.status = p.status
  RETURN collect(p.id) AS locked
}
UNWIND $rows AS row
MATCH (a:Identifier)-[l:LINKED {id: row[0]}]->(:Identifier)
MATCH (a)-[:BELONGS_TO]->(p:Person)
WITH l, row, p
WHERE p.id IN locked AND l.status = 'active' AND l.method = 'probabilistic'
  AND l.modelVersion = row[5] AND coalesce(l.records, []) = row[6]
SET
  l.status = CASE WHEN row[1] THEN l.status ELSE 'withdrawn' END,
  l.withdrawnAt = CASE WHEN row[1] THEN l.withdrawnAt ELSE toInteger($now) END,
  l.confidence = row[2],
  l.modelVersion = $model.version,
  l.explanation = row[3],
  l.updatedAt = toInteger($now)
WITH l, row, p
CALL (l, row, p) {
  WITH l, row, p
  WHERE NOT row[1]
  CREATE (audit:AuditRecord {
    id: row[4],
    kind: 'link_withdrawn',
    at: toInteger($now),
    personIds: [p.id],
    linkId: l.id,
    method: l.method,
    rule: l.rule,
    modelVersion: $model.version,
    confidence: row[2],
    reason: 'rescored_below_threshold'
  })
  CREATE (audit)-[:CONCERNS]->(p)
}
RETURN collect(l.id) AS written
