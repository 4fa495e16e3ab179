// Re-files a page of records under the current blocking rules and returns their candidates, for
// `idgraph model rescore`. Like write/claim-records, without creating records, and run after
// write/lock-matching has taken the matching clock (and logged the page's keys, so that batches
// scoring concurrently look again at what this page files):
// 1. per record ($records rows [key, keys by rule: 8 slots, null where a rule gives none]): sets its
//    block<k> properties (null removes one);
// 2. returns per record the candidates with a smaller key (so each pair is scored once, by the
//    later record), earlier rules first, at most $cap, with the found count, blocks of more than
//    $maxBlock records skipped, as claim-records does, each candidate with its anchor's person
//    ([id, key, source, values, purposes, anchor key, person]): a pair already in one person needs
//    nothing.
// Lists travel as fields of one map parameter, $rows: Neo4j keys its plan cache on the sizes of
// top-level list parameters, so a statement with several lists of varying length was planned
// again (~0.5 s) for many batches (docs/benchmarks.md). Inside a map they are one plan.
CYPHER replan=skip
CALL () {
  UNWIND $rows.records AS row
  MATCH (r:Record {key: row[0]})
  SET
    r.block0 = toInteger(row[1][0]),
    r.block1 = toInteger(row[1][1]),
    r.block2 = toInteger(row[1][2]),
    r.block3 = toInteger(row[1][3]),
    r.block4 = toInteger(row[1][4]),
    r.block5 = toInteger(row[1][5]),
    r.block6 = toInteger(row[1][6]),
    r.block7 = toInteger(row[1][7])
}
CALL () {
  UNWIND range(0, size($rows.records) - 1) AS n
  WITH n, $rows.records[n] AS row
  WHERE any(key IN row[1] WHERE key IS NOT NULL)
  MATCH (r:Record {key: row[0]})
  CALL (r, row) {
    CALL (row) {
      WITH row WHERE row[1][0] IS NOT NULL
      MATCH (c:Record) WHERE c.block0 = toInteger(row[1][0]) AND c.id IS NOT NULL
      WITH c LIMIT toInteger($scanLimit)
      RETURN collect(c) AS members, 0 AS k
      UNION ALL
      WITH row WHERE row[1][1] IS NOT NULL
      MATCH (c:Record) WHERE c.block1 = toInteger(row[1][1]) AND c.id IS NOT NULL
      WITH c LIMIT toInteger($scanLimit)
      RETURN collect(c) AS members, 1 AS k
      UNION ALL
      WITH row WHERE row[1][2] IS NOT NULL
      MATCH (c:Record) WHERE c.block2 = toInteger(row[1][2]) AND c.id IS NOT NULL
      WITH c LIMIT toInteger($scanLimit)
      RETURN collect(c) AS members, 2 AS k
      UNION ALL
      WITH row WHERE row[1][3] IS NOT NULL
      MATCH (c:Record) WHERE c.block3 = toInteger(row[1][3]) AND c.id IS NOT NULL
      WITH c LIMIT toInteger($scanLimit)
      RETURN collect(c) AS members, 3 AS k
      UNION ALL
      WITH row WHERE row[1][4] IS NOT NULL
      MATCH (c:Record) WHERE c.block4 = toInteger(row[1][4]) AND c.id IS NOT NULL
      WITH c LIMIT toInteger($scanLimit)
      RETURN collect(c) AS members, 4 AS k
      UNION ALL
      WITH row WHERE row[1][5] IS NOT NULL
      MATCH (c:Record) WHERE c.block5 = toInteger(row[1][5]) AND c.id IS NOT NULL
      WITH c LIMIT toInteger($scanLimit)
      RETURN collect(c) AS members, 5 AS k
      UNION ALL
      WITH row WHERE row[1][6] IS NOT NULL
      MATCH (c:Record) WHERE c.block6 = toInteger(row[1][6]) AND c.id IS NOT NULL
      WITH c LIMIT toInteger($scanLimit)
      RETURN collect(c) AS members, 6 AS k
      UNION ALL
      WITH row WHERE row[1][7] IS NOT NULL
      MATCH (c:Record) WHERE c.block7 = toInteger(row[1][7]) AND c.id IS NOT NULL
      WITH c LIMIT toInteger($scanLimit)
      RETURN collect(c) AS members, 7 AS k
    }
    WITH r, members, k
    WHERE size(members) <= $maxBlock
    UNWIND members AS c
    WITH r, c, k
    WHERE c.key < r.key AND (NOT $linkOnly OR c.source <> r.source)
    WITH c, min(k) AS rule
    ORDER BY rule, c.key
    RETURN count(c) AS found, collect(c)[..$cap] AS taken
  }
  CALL (taken) {
    UNWIND taken AS c
    MATCH (a:Identifier {key: c.anchorKey})
    OPTIONAL MATCH (a)-[:BELONGS_TO]->(p:Person)
    RETURN collect([c.id, c.key, c.source, c.values, c.purposes, a.key, p.id]) AS candidates
  }
  MATCH (self:Identifier {key: r.anchorKey})
  OPTIONAL MATCH (self)-[:BELONGS_TO]->(sp:Person)
  RETURN collect([n, found, candidates, r.source, r.values, r.purposes, r.anchorKey, elementId(self), sp.id]) AS candidates
}
RETURN candidates
