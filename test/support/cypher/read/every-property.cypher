// Tests only: every property of every node and every relationship, as JSON-able maps, to search
// the whole graph for erased values.
CALL () {
  MATCH (n)
  RETURN labels(n) AS kind, properties(n) AS properties
  UNION ALL
  MATCH ()-[r]->()
  RETURN [type(r)] AS kind, properties(r) AS properties
}
RETURN kind, properties
