// The identifiers of a (locked) person and the active links between them: the caller computes the
// connected components to see whether the person still holds together.
MATCH (p:Person {id: $personId})<-[:BELONGS_TO]-(i:Identifier)
WITH p, collect([i.key, elementId(i), i.createdAt]) AS identifiers
CALL (p) {
  MATCH (p)<-[:BELONGS_TO]-(a:Identifier)-[l:LINKED]->(b:Identifier)-[:BELONGS_TO]->(p)
  WHERE l.status = 'active'
  RETURN collect([a.key, b.key]) AS links
}
RETURN identifiers, links, p.createdAt AS createdAt
