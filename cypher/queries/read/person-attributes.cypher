// Attributes reported for a person: the newest events that mention its identifiers, newest first.
MATCH (:Person {id: $personId})<-[:BELONGS_TO]-(:Identifier)<-[:MENTIONS]-(e:Event)
WITH DISTINCT e
ORDER BY e.occurredAt DESC, e.key
LIMIT toInteger($limit)
RETURN e.payload AS payload
