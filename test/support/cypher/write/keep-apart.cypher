// Tests only: the keep-apart constraint a manual split writes (issue 24's shared design:
// `CANNOT_LINK {id, kind: 'keep_apart', auditId, createdAt, actor}` between two identifiers), as
// the replay reads it, without the manual operation itself.
MATCH (a:Identifier {key: $fromKey})
MATCH (b:Identifier {key: $toKey})
CREATE (a)-[c:CANNOT_LINK {
  id: $id,
  kind: 'keep_apart',
  auditId: $auditId,
  createdAt: toInteger($now),
  actor: 'test'
}]->(b)
RETURN c.id AS id
