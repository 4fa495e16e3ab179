// A page of CANNOT_LINK constraints (no-match decisions and keep-apart splits) in id order after
// $after (keyset pagination): id, kind (absent: `no_match`), createdAt, who made it (actor, review
// or audit record) and, for each of its two identifiers, the type and the current person; never a
// value. Constraints are few (one per decision or manual split): the page is read by a scan of the
// relationship type.
MATCH (a:Identifier)-[c:CANNOT_LINK]->(b:Identifier)
WHERE $after IS NULL OR c.id > $after
WITH a, b, c
ORDER BY c.id
LIMIT toInteger($limit)
OPTIONAL MATCH (a)-[:BELONGS_TO]->(pa:Person)
OPTIONAL MATCH (b)-[:BELONGS_TO]->(pb:Person)
RETURN c.id AS id, coalesce(c.kind, 'no_match') AS kind, c.createdAt AS createdAt,
       c.actor AS actor, c.reviewId AS reviewId, c.auditId AS auditId,
       [a.type, pa.id] AS from, [b.type, pb.id] AS to
ORDER BY id
