// Makes an absorbed person active again (src/manual/manual-revert.ts), with the current person
// ($personId) and the absorbed one ($absorbedId) write-locked: its MERGED_INTO goes, it is
// `active` again (`restoredAt`), the identifiers of its side ($moved: element ids) move to it from
// the current person (the old membership kept as WAS_IN {from, to}, to = $now), and the persons
// merged into it before the reverted merge ($earlier), whose tombstones point at the current
// person, point at it again. Returns how many identifiers moved and tombstones were re-pointed:
// the caller checks them.
MATCH (b:Person {id: $absorbedId})-[m:MERGED_INTO]->(c:Person {id: $personId})
DELETE m
SET
  b.status = 'active',
  b.mergedInto = null,
  b.restoredAt = toInteger($now),
  b.updatedAt = toInteger($now),
  c.updatedAt = toInteger($now)
WITH b, c
CALL (b, c) {
  UNWIND $moved AS identifierId
  MATCH (i:Identifier)
  WHERE elementId(i) = identifierId
  MATCH (i)-[r:BELONGS_TO]->(c)
  CREATE (i)-[:WAS_IN {from: coalesce(r.since, i.createdAt), to: toInteger($now)}]->(c)
  DELETE r
  CREATE (i)-[:BELONGS_TO {since: toInteger($now)}]->(b)
  RETURN count(i) AS moved
}
CALL (b, c) {
  UNWIND $earlier AS earlierId
  MATCH (t:Person {id: earlierId, status: 'merged'})-[r:MERGED_INTO]->(c)
  DELETE r
  CREATE (t)-[:MERGED_INTO]->(b)
  SET t.mergedInto = b.id, t.updatedAt = toInteger($now)
  RETURN count(t) AS repointed
}
RETURN moved, repointed
