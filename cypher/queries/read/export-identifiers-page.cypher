// `idgraph export`: one page of identifiers after $after in key order (keyset pagination on the
// unique key index, so each page is an index range read however far the export has got), each
// with its active person. Every identifier row comes back, also one without an active person
// (personId null: the caller skips it), so the last row's key is always the next page's $after
// and a page shorter than $limit is the last. Values are personal data: never logged.
MATCH (i:Identifier)
WHERE i.key > $after
WITH i
ORDER BY i.key
LIMIT toInteger($limit)
OPTIONAL MATCH (i)-[:BELONGS_TO]->(p:Person {status: 'active'})
RETURN i.key AS key, i.type AS type, i.value AS value, p.id AS personId,
       i.createdAt AS firstSeen, i.lastSeen AS lastSeen
