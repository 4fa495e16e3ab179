// Counts of violations of the identity model's invariants; all must be zero.
CALL () {
  MATCH (i:Identifier)
  WHERE count { (i)-[:BELONGS_TO]->() } <> 1
  RETURN count(i) AS identifiersWithoutOnePerson
}
CALL () {
  MATCH (a:Identifier)-[l:LINKED {status: 'active'}]->(b:Identifier)
  WHERE NOT exists { (a)-[:BELONGS_TO]->(:Person)<-[:BELONGS_TO]-(b) }
  RETURN count(l) AS activeLinksAcrossPersons
}
CALL () {
  MATCH (p:Person)<-[:BELONGS_TO]-()
  WHERE p.status <> 'active'
  RETURN count(DISTINCT p) AS inactivePersonsWithIdentifiers
}
CALL () {
  MATCH (p:Person {status: 'active'})
  WHERE NOT exists { (p)<-[:BELONGS_TO]-() }
  RETURN count(p) AS emptyActivePersons
}
CALL () {
  MATCH (a:Identifier)-[l:LINKED]->(b:Identifier)
  WITH a, b, count(l) AS n
  WHERE n > 1
  RETURN count(*) AS duplicateLinks
}
RETURN identifiersWithoutOnePerson, activeLinksAcrossPersons, inactivePersonsWithIdentifiers, emptyActivePersons, duplicateLinks
