// Batch lookup: the active person of each identifier key (null when the identifier is unknown).
// Identifiers always point at an active person: merges move them, so one hop suffices.
UNWIND $keys AS key
OPTIONAL MATCH (:Identifier {key: key})-[:BELONGS_TO]->(p:Person)
RETURN key, p.id AS personId
