// After a split for a better match: active links from the identifiers of the given persons to an
// identifier of another person. The split was planned from links read under the persons' locks but
// not the identifiers' (a batch may link two identifiers of one person without locking it); moving
// the identifiers took their locks, so what this reads is current. Any crossing link means the
// plan was stale: the caller starts the transaction again.
UNWIND $personIds AS id
MATCH (p:Person {id: id})<-[:BELONGS_TO]-(a:Identifier)-[l:LINKED]-(b:Identifier)
WHERE l.status = 'active' AND NOT (b)-[:BELONGS_TO]->(p)
RETURN count(l) AS crossing
