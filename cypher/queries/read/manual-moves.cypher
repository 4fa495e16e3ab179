// What a manual operation (src/manual/) changed in the given persons, read in its own transaction
// after its writes (a dry run reads it before rolling back): the identifiers that joined each
// person at $now (BELONGS_TO since $now) and those that left it (WAS_IN to $now), as [type,
// value], and whether the person was created at $now. Every move of the membership history
// carries the moving transaction's time, so these are exactly the operation's moves. Values are
// read here for a caller allowed to see them; the service drops them otherwise.
UNWIND $personIds AS id
MATCH (p:Person {id: id})
RETURN
  p.id AS personId,
  p.status AS status,
  p.createdAt = toInteger($now) AS created,
  [(p)<-[b:BELONGS_TO]-(i:Identifier) WHERE b.since = toInteger($now) | [i.type, i.value]] AS joined,
  [(p)<-[w:WAS_IN]-(i:Identifier) WHERE w.to = toInteger($now) | [i.type, i.value]] AS left
