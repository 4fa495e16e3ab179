// A person by id. A merged id answers with its survivor (one MERGED_INTO hop: merges keep chains flat).
// Identifiers carry the sources that reported them (from the event log) and their age.
MATCH (asked:Person {id: $id})
OPTIONAL MATCH (asked)-[:MERGED_INTO]->(survivor:Person)
WITH asked, coalesce(survivor, asked) AS p
CALL (p) {
  OPTIONAL MATCH (p)<-[:BELONGS_TO]-(i:Identifier)
  WITH i ORDER BY i.key
  RETURN collect(i {
    .key, .type, .value, .createdAt, .lastSeen,
    ref: elementId(i),
    sources: COLLECT { MATCH (i)<-[:MENTIONS]-(e:Event) RETURN DISTINCT e.source AS s ORDER BY s }
  }) AS identifiers
}
CALL (p) {
  OPTIONAL MATCH (m:Person)-[:MERGED_INTO]->(p)
  WITH m ORDER BY m.id
  RETURN collect(m.id) AS mergedFrom
}
RETURN p.id AS id, asked.id AS requestedId, p.status AS status, p.createdAt AS createdAt,
       p.updatedAt AS updatedAt, identifiers, mergedFrom
