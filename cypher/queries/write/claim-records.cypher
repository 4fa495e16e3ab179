// The resolver's matching statement, run after write/claim-batch when claimed events carry
// attributes: reads the committed blocks under the batch's keys, then stores the batch's source
// records with their keys, in one round trip. It takes no lock: concurrent batches read and score
// their candidates in parallel, and write/lock-matching then settles what they could not see of
// each other (the protocol is described there).
//
// 1. Reads the matching clock, before any candidate is read: write/lock-matching returns what was
//    committed since.
// 2. Per block read ($rows.probes: {keys, sources}, one list each per rule, rule k's at k: the
//    batch's distinct keys under rule k, each once, and in link mode once per source, with that
//    source in `sources`; plain lists of numbers, which the driver packs cheaply), the committed
//    records filed under rule k's key. The answer holds one list per rule, rule k's at k, of
//    [n, size, ids] for the key at position n: the record ids in one string (each id after
//    $separator; ids are base64url, never one), which the worker splits faster than it decodes a
//    list of strings. At most $scanLimit = $maxBlock + 1 are read to find out whether a block is too
//    common; such a block's ids are not sent. With $linkOnly, records of the read's source count
//    towards the size but are not named: a second read, only for blocks that are not too common
//    (the CASE evaluates it only then), so that no other mode reads `c.source`. The ids come from
//    the (block<k>, id) indexes (migration 0006), not from each record's properties:
//    `c.id IS NOT NULL` lets the planner seek that index, and returning c.id straight from the seek
//    makes it take the id from the index entry. One subquery per rule over that rule's keys, each
//    seeking one index throughout, rather than one read whose rows cross a UNION branch per rule.
// 3. Creates the records ($rows.records rows [key, id, source, values, linking, purposes,
//    anchorKey, identifier element ids, blocking keys by rule: one slot per rule, null where a rule
//    gives none]). DESCRIBES ties a record to the identifiers its event carried (its provenance is
//    the event with the same key). Rule k's key is the indexed integer property block<k>. A record
//    whose event refuses identity_linking has no keys, so it is never a candidate.
//
// The reads come before the records exist, so no seek merges the transaction's uncommitted index
// entries, and they return blocks, not candidates: the worker adds the batch's own records, counts,
// drops each record itself, takes the lowest rule per candidate and applies the cap
// (src/resolver/batch-blocks.ts). Done here, that would be an aggregation per record and a row per
// member in Neo4j, which every worker's batches share.
//
// What is per rule is written once, between `{{#rules}}` markers, and repeated for every rule slot
// by the loader (src/graph/cypher-template.ts): Cypher cannot name a property by a parameter and
// still use its index; the model file allows at most that many rules (src/matching/records/blocking.ts).
// Values are personal data and never logged.
// $rows: lists in one map parameter (write/claim-batch says why).
CYPHER replan=skip
CALL () {
  MATCH (clock:MatchClock {name: 'records'})
  RETURN clock.seq AS seen
}
// {{#rules}}
CALL () {
  UNWIND range(0, size($rows.probes.keys[{{k}}]) - 1) AS n
  WITH n, toInteger($rows.probes.keys[{{k}}][n]) AS key, $rows.probes.sources[{{k}}][n] AS source
  WITH n, key, source, COLLECT {
    MATCH (c:Record) WHERE c.block{{k}} = key AND c.id IS NOT NULL
    RETURN c.id LIMIT toInteger($scanLimit)
  } AS members
  WITH n, members, CASE WHEN $linkOnly AND size(members) <= $maxBlock THEN COLLECT {
    MATCH (c:Record) WHERE c.block{{k}} = key AND c.id IS NOT NULL AND c.source <> source
    RETURN c.id
  } ELSE members END AS named
  RETURN collect([
    n,
    size(members),
    CASE WHEN size(members) <= $maxBlock THEN reduce(ids = '', id IN named | ids + $separator + id) ELSE '' END
  ]) AS blocks{{k}}
}
// {{/rules}}
CALL () {
  UNWIND $rows.records AS row
  CREATE (r:Record {
    key: row[0],
    id: row[1],
    source: row[2],
    values: row[3],
    linking: row[4],
    purposes: row[5],
    anchorKey: row[6],
    createdAt: toInteger($now),
    jobId: $jobId,
    // {{#rules ,}}
    block{{k}}: toInteger(row[8][{{k}}])
    // {{/rules}}
  })
  WITH r, row
  CALL (r, row) {
    UNWIND row[7] AS identifierId
    MATCH (i:Identifier) WHERE elementId(i) = identifierId
    CREATE (r)-[:DESCRIBES]->(i)
  }
}
RETURN seen, [
  // {{#rules ,}}
  blocks{{k}}
  // {{/rules}}
] AS blocks
