// One page of a graph's partition for `idgraph diff` (src/replay/): identifiers by key after
// $after ('' from the start) with their type and the person they belong to (always the active
// one: a merge moves its identifiers to the survivor). Keyset pages along the unique key's index,
// so two graphs can be read side by side in key order and merge-joined without holding either.
MATCH (i:Identifier)
WHERE i.key > $after
WITH i
ORDER BY i.key
LIMIT toInteger($limit)
OPTIONAL MATCH (i)-[:BELONGS_TO]->(p:Person)
RETURN i.key AS key, i.type AS type, p.id AS personId
