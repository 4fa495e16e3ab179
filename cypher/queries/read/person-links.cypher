// The links inside a person (both ends in it), with confidence, provenance and consent.
MATCH (p:Person {id: $personId})<-[:BELONGS_TO]-(a:Identifier)-[l:LINKED]->(b:Identifier)-[:BELONGS_TO]->(p)
RETURN l {.*} AS link, a.key AS fromKey, a.type AS fromType, a.value AS fromValue,
       b.key AS toKey, b.type AS toType, b.value AS toValue
ORDER BY a.key, b.key
