// The two sides a revert of a merge starts from (src/manual/manual-revert.ts), read under the
// locks of the current person ($personId) and the absorbed one ($absorbedId), for each identifier
// of the current person: `brought` when the absorbed person brought it to the merge (its WAS_IN to
// the absorbed person ends at the merge's time $at), `stayed` when the survivor ($survivorId) held
// it before the merge (a membership that began before $at and lasted at least until it: the
// survivor's own BELONGS_TO, or its WAS_IN when a later merge or split moved it on). Also the
// absorbed person's status, and the persons merged into it before $at (their tombstones point at
// it again after the revert).
MATCH (b:Person {id: $absorbedId})
CALL () {
  MATCH (:Person {id: $personId})<-[r:BELONGS_TO]-(i:Identifier)
  RETURN collect([
    i.key,
    EXISTS { (i)-[:WAS_IN {to: toInteger($at)}]->(:Person {id: $absorbedId}) },
    ($survivorId = $personId AND coalesce(r.since, i.createdAt) < $at)
      OR EXISTS {
        MATCH (i)-[w:WAS_IN]->(:Person {id: $survivorId})
        WHERE w.from < $at AND w.to >= $at
      }
  ]) AS seeds
}
CALL (b) {
  OPTIONAL MATCH (b)<-[:CONCERNS]-(r:AuditRecord {kind: 'merge'})
  WHERE r.survivorId = b.id AND r.at < $at
  RETURN reduce(acc = [], ids IN collect(r.absorbedIds) | acc + ids) AS earlier
}
RETURN b.status AS status, b.mergedInto AS mergedInto, seeds, earlier
