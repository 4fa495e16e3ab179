// Write-locks the persons a batch may change, in id order ($personIds is sorted), and reads what the
// merge decision needs: age, status, and the types of its identifiers that have a per-person limit.
UNWIND $personIds AS id
MATCH (p:Person {id: id})
SET p.lastBatch = $claim
WITH p
CALL (p) {
  OPTIONAL MATCH (p)<-[:BELONGS_TO]-(i:Identifier)
  WHERE i.type IN $limitedTypes
  RETURN collect(i.type) AS limitedTypes
}
RETURN p.id AS id, p.createdAt AS createdAt, p.status AS status, limitedTypes
