// The identifiers (key and type) of the given persons, for the sample cases `idgraph diff`
// prints: types by default, keys only when the operator asks for values.
UNWIND $personIds AS id
MATCH (p:Person {id: id})<-[:BELONGS_TO]-(i:Identifier)
RETURN p.id AS personId, i.key AS key, i.type AS type
ORDER BY personId, key
