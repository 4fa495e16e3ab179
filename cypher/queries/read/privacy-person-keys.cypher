// A page of a person's identifier keys, in key order after $after ('' for the first page). A merged
// id reads its survivor (one MERGED_INTO hop: merges keep chains flat). personId is null when the
// id is unknown.
OPTIONAL MATCH (asked:Person {id: $personId})
OPTIONAL MATCH (asked)-[:MERGED_INTO]->(survivor:Person)
WITH coalesce(survivor, asked) AS p
CALL (p) {
  OPTIONAL MATCH (i:Identifier)-[:BELONGS_TO]->(p)
  WHERE i.key > $after
  WITH i.key AS key
  ORDER BY key
  LIMIT toInteger($limit)
  RETURN collect(key) AS keys
}
RETURN p.id AS personId, keys
