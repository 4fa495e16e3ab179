// The anchor identifiers of matched candidates outside the batch (keys sorted): element id and
// current person, read without a lock inside the resolver's write transaction. write/lock-persons
// reads the persons again under lock and the batch starts over if one moved meanwhile.
UNWIND $keys AS key
MATCH (i:Identifier {key: key})
OPTIONAL MATCH (i)-[:BELONGS_TO]->(p)
RETURN key, elementId(i) AS elementId, p.id AS personId
