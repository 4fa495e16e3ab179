// Deletes one CANNOT_LINK constraint by id (DELETE /v1/constraints/{id}): the two persons may be
// joined again by the next evidence. Returns its kind and the two identifiers' current persons for
// the `constraint_removed` audit record; no row when there is no such constraint. Found by a scan
// of the relationship type (constraints are few).
MATCH (a:Identifier)-[c:CANNOT_LINK]->(b:Identifier)
WHERE c.id = $id
OPTIONAL MATCH (a)-[:BELONGS_TO]->(pa:Person)
OPTIONAL MATCH (b)-[:BELONGS_TO]->(pb:Person)
WITH c, coalesce(c.kind, 'no_match') AS kind, [x IN [pa.id, pb.id] WHERE x IS NOT NULL] AS personIds
DELETE c
RETURN kind, personIds
