// Audit records of a manual operation (src/manual/, constraint deletion): each of $records (a map
// of ids, kind, time, actor, reason code and the operator's note; never an identifier value) is
// created and tied to the persons it names. $tag (null or {jobId, personId, actor, note}): records
// the resolver's plan writer made in this transaction for the operation (a manual merge's `merge`
// records, job id `manual/<audit id>`) get its actor and note too, so every record of it says who.
UNWIND $records AS record
CREATE (a:AuditRecord)
SET a = record
WITH a
CALL (a) {
  UNWIND a.personIds AS personId
  MATCH (p:Person {id: personId})
  CREATE (a)-[:CONCERNS]->(p)
}
WITH count(a) AS created
CALL () {
  WITH $tag AS tag
  WHERE tag IS NOT NULL
  MATCH (:Person {id: tag.personId})<-[:CONCERNS]-(r:AuditRecord {jobId: tag.jobId})
  SET r.actor = tag.actor, r.note = tag.note
}
RETURN created
