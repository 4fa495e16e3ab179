// Re-files a page of records under the current blocking rules and returns their candidates, for
// `idgraph model rescore`. Like write/claim-records, without creating records:
// 1. locks the page's blocking keys in key order ($blocks sorted, rows [hash, records]);
// 2. per record ($records rows [key, hashes in rule order]): drops IN_BLOCK edges to keys no
//    longer computed and files it under the new ones;
// 3. returns per record the candidates with a smaller key (so each pair is scored once, by the
//    later record), earlier rules first, at most $cap, with the found count, as claim-records does,
//    each candidate with its anchor's person ([key, source, values, purposes, anchor key, person]):
//    a pair already in one person needs nothing.
CYPHER replan=skip
CALL () {
  UNWIND $blocks AS row
  MERGE (b:BlockKey {key: row[0]})
    ON CREATE SET b.createdAt = toInteger($now)
    ON MATCH SET b.createdAt = b.createdAt
}
CALL () {
  UNWIND $records AS row
  MATCH (r:Record {key: row[0]})
  CALL (r, row) {
    MATCH (r)-[e:IN_BLOCK]->(old:BlockKey)
    WHERE NOT old.key IN row[1]
    DELETE e
  }
  CALL (r, row) {
    UNWIND row[1] AS hash
    MATCH (b:BlockKey {key: hash})
    WHERE NOT (r)-[:IN_BLOCK]->(b)
    CREATE (r)-[:IN_BLOCK]->(b)
  }
}
CALL () {
  UNWIND range(0, size($records) - 1) AS n
  WITH n, $records[n] AS row
  WHERE size(row[1]) > 0
  MATCH (r:Record {key: row[0]})
  CALL (r, row) {
    UNWIND range(0, size(row[1]) - 1) AS k
    MATCH (b:BlockKey {key: row[1][k]})
    WHERE COUNT { (b)<-[:IN_BLOCK]-() } <= $maxBlock
    MATCH (b)<-[:IN_BLOCK]-(c:Record)
    WHERE c.key < r.key AND (NOT $linkOnly OR c.source <> r.source)
    WITH c, min(k) AS rule
    ORDER BY rule, c.key
    RETURN count(c) AS found, collect(c)[..$cap] AS taken
  }
  CALL (taken) {
    UNWIND taken AS c
    MATCH (a:Identifier {key: c.anchorKey})
    OPTIONAL MATCH (a)-[:BELONGS_TO]->(p:Person)
    RETURN collect([c.key, c.source, c.values, c.purposes, a.key, p.id]) AS candidates
  }
  MATCH (self:Identifier {key: r.anchorKey})
  OPTIONAL MATCH (self)-[:BELONGS_TO]->(sp:Person)
  RETURN collect([n, found, candidates, r.source, r.values, r.purposes, r.anchorKey, elementId(self), sp.id]) AS candidates
}
RETURN candidates
