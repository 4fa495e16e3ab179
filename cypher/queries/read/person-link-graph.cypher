// The persons at a refused probabilistic match, read under their locks (write/lock-persons took
// them) for the better-match rule (src/resolver/better-match.ts): per person its age, its
// identifiers ([key, element id, type, createdAt]), the no-match constraints on them ([own key,
// other key]) and the active links between them ([id, from key, to key, method, confidence]).
// Keys are personal data: the caller never logs them.
UNWIND $personIds AS id
MATCH (p:Person {id: id})
CALL (p) {
  MATCH (p)<-[:BELONGS_TO]-(i:Identifier)
  RETURN collect([i.key, elementId(i), i.type, i.createdAt]) AS identifiers
}
CALL (p) {
  MATCH (p)<-[:BELONGS_TO]-(i:Identifier)-[:CANNOT_LINK]-(j:Identifier)
  RETURN collect([i.key, j.key]) AS cannotLink
}
CALL (p) {
  MATCH (p)<-[:BELONGS_TO]-(a:Identifier)-[l:LINKED]->(b:Identifier)-[:BELONGS_TO]->(p)
  WHERE l.status = 'active'
  RETURN collect([l.id, a.key, b.key, l.method, l.confidence]) AS links
}
RETURN p.id AS id, p.createdAt AS createdAt, identifiers, cannotLink, links
