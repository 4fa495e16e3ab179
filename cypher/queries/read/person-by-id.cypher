// A person by id. A merged id answers with its survivor (one MERGED_INTO hop: merges keep chains flat).
MATCH (asked:Person {id: $id})
OPTIONAL MATCH (asked)-[:MERGED_INTO]->(survivor:Person)
WITH asked, coalesce(survivor, asked) AS p
CALL (p) {
  OPTIONAL MATCH (p)<-[:BELONGS_TO]-(i:Identifier)
  WITH i ORDER BY i.key
  RETURN collect(i {.type, .value, firstSeen: i.createdAt, .lastSeen}) AS identifiers
}
CALL (p) {
  OPTIONAL MATCH (m:Person)-[:MERGED_INTO]->(p)
  WITH m ORDER BY m.id
  RETURN collect(m.id) AS mergedFrom
}
RETURN p.id AS id, asked.id AS requestedId, p.status AS status, p.createdAt AS createdAt,
       p.updatedAt AS updatedAt, identifiers, mergedFrom
