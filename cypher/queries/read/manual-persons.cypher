// The persons a manual operation names (src/manual/), each resolved to the active person that
// answers for it now (a merged id to the person it is merged into: always one hop), with that
// person's age and its oldest identifier (createdAt, then key): a manual merge links the persons'
// oldest identifiers. Read without a lock: the caller locks the identifiers, then the persons, and
// starts again when what it locked differs. An unknown or erased id answers no row.
UNWIND $personIds AS asked
MATCH (q:Person {id: asked})
OPTIONAL MATCH (q)-[:MERGED_INTO]->(m:Person)
WITH asked, coalesce(m, q) AS p
WHERE p.status = 'active'
CALL (p) {
  MATCH (p)<-[:BELONGS_TO]-(i:Identifier)
  RETURN i.key AS oldestKey
  ORDER BY i.createdAt, i.key
  LIMIT 1
}
RETURN asked, p.id AS personId, p.createdAt AS createdAt, oldestKey
