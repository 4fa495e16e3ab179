// `idgraph export`: what an export has ahead of it, for its progress bar: identifiers and links.
// Both counts come from Neo4j's count store (a label, a relationship type): no scan.
CALL () {
  MATCH (i:Identifier)
  RETURN count(i) AS identifiers
}
CALL () {
  MATCH ()-[l:LINKED]->()
  RETURN count(l) AS links
}
RETURN identifiers, links
