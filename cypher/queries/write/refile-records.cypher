// Re-files a page of records under the current blocking rules and returns their candidates, for
// `idgraph model rescore`. Like write/claim-records, without creating records, and run after
// write/lock-matching has taken the matching clock (and logged the page's keys, so that batches
// scoring concurrently look again at what this page files):
// 1. per record ($records rows [key, keys by rule: one slot per rule, null where a rule gives
//    none]): sets its block<k> properties (null removes one);
// 2. returns per record the candidates with a smaller key (so each pair is scored once, by the
//    later record), earlier rules first, at most $cap, with the found count, blocks of more than
//    $maxBlock records skipped, as claim-records does, each candidate with its anchor's person
//    ([id, key, source, values, purposes, anchor key, person]): a pair already in one person needs
//    nothing.
// What is per rule is written once and repeated per rule slot by the loader
// (src/graph/cypher-template.ts; write/claim-records says why).
// $rows: lists in one map parameter (write/claim-batch says why).
CYPHER replan=skip
CALL () {
  UNWIND $rows.records AS row
  MATCH (r:Record {key: row[0]})
  SET
    // {{#rules ,}}
    r.block{{k}} = toInteger(row[1][{{k}}])
    // {{/rules}}
}
CALL () {
  UNWIND range(0, size($rows.records) - 1) AS n
  WITH n, $rows.records[n] AS row
  WHERE any(key IN row[1] WHERE key IS NOT NULL)
  MATCH (r:Record {key: row[0]})
  CALL (r, row) {
    CALL (row) {
      // {{#rules UNION ALL}}
      WITH row WHERE row[1][{{k}}] IS NOT NULL
      MATCH (c:Record) WHERE c.block{{k}} = toInteger(row[1][{{k}}]) AND c.id IS NOT NULL
      WITH c LIMIT toInteger($scanLimit)
      RETURN collect(c) AS members, {{k}} AS k
      // {{/rules}}
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
