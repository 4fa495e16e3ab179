// Matched candidate records outside the batch (ids sorted): their consent purposes and their anchor
// identifier's element id and current person, read without a lock inside the resolver's write
// transaction. write/lock-persons reads the persons again under lock and the batch starts over if
// one moved meanwhile. Purposes are read here, not with the candidates: consent may change, so only
// the values of a record are cached by the workers.
UNWIND $ids AS id
MATCH (r:Record {id: id})
MATCH (i:Identifier {key: r.anchorKey})
OPTIONAL MATCH (i)-[:BELONGS_TO]->(p)
RETURN id, r.purposes AS purposes, i.key AS key, elementId(i) AS elementId, p.id AS personId
