// An access export's persons and audit trail: the persons holding the subject's identifiers, the
// ids merged into them, and every audit record concerning any of those (ids only), oldest first.
CALL () {
  UNWIND $personIds AS id
  MATCH (p:Person {id: id})
  RETURN collect(p {
    .id, .status, .createdAt, .updatedAt,
    merged: COLLECT { MATCH (m:Person)-[:MERGED_INTO]->(p) RETURN m.id ORDER BY m.id }
  }) AS persons
}
CALL (persons) {
  UNWIND persons AS person
  UNWIND [person.id] + person.merged AS id
  MATCH (:Person {id: id})<-[:CONCERNS]-(a:AuditRecord)
  WITH DISTINCT a
  ORDER BY a.at, a.id
  RETURN collect(a {.*}) AS audit
}
RETURN persons, audit
