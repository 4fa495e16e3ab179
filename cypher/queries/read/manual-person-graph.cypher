// A person as a manual split or a revert (src/manual/) partitions it, read under the person's
// lock: its status, its identifiers ([key, element id, createdAt, type]) and the active links
// among them ([link id, from key, to key, confidence, createdAt]; a link is directed from the
// smaller key to the larger).
MATCH (p:Person {id: $personId})
CALL (p) {
  MATCH (p)<-[:BELONGS_TO]-(i:Identifier)
  RETURN collect([i.key, elementId(i), i.createdAt, i.type]) AS identifiers
}
CALL (p) {
  MATCH (p)<-[:BELONGS_TO]-(a:Identifier)-[l:LINKED]->(b:Identifier)-[:BELONGS_TO]->(p)
  WHERE l.status = 'active'
  RETURN collect([l.id, a.key, b.key, l.confidence, l.createdAt]) AS links
}
RETURN p.status AS status, p.createdAt AS createdAt, identifiers, links
