// Merges each absorbed person into its survivor: its identifiers move over, it keeps existing as a
// `merged` tombstone pointing at the survivor so that its id keeps resolving, and persons merged into
// it earlier are re-pointed too, so a merged id is always one hop from the active person.
UNWIND $rows AS row
MATCH (old:Person {id: row.absorbedId})
MATCH (survivor:Person {id: row.survivorId})
CALL (old, survivor) {
  MATCH (old)<-[r:BELONGS_TO]-(i:Identifier)
  DELETE r
  CREATE (i)-[:BELONGS_TO]->(survivor)
}
CALL (old, survivor) {
  MATCH (earlier:Person)-[r:MERGED_INTO]->(old)
  DELETE r
  CREATE (earlier)-[:MERGED_INTO]->(survivor)
  SET earlier.mergedInto = survivor.id
}
CREATE (old)-[:MERGED_INTO]->(survivor)
SET
  old.status = 'merged',
  old.mergedInto = survivor.id,
  old.updatedAt = toInteger($now),
  survivor.updatedAt = toInteger($now)
