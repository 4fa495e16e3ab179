// The resolver's matching statement, run after write/claim-batch when claimed events carry
// attributes: reads the committed blocks under the batch's keys, then stores the batch's source
// records with their keys, in one round trip. It takes no lock: concurrent batches read and score
// their candidates in parallel, and write/lock-matching then settles what they could not see of
// each other (the protocol is described there).
//
// 1. Reads the matching clock, before any candidate is read: write/lock-matching returns what was
//    committed since.
// 2. Per block read ($rows.probes: {keys, sources}, eight lists each, rule k's at k: the batch's
//    distinct keys under rule k, each once, and in link mode once per source, with that source in
//    `sources`; plain lists of numbers, which the driver packs cheaply), the committed records
//    filed under rule k's key. The answer holds eight lists, rule k's at k, of [n, size, ids] for
//    the key at position n: the record ids in one string (each id after
//    $separator; ids are base64url, never one: decoding strings one by one was a tenth of a
//    worker's time). At most $scanLimit = $maxBlock + 1 are read to find out whether a block is too
//    common; such a block's ids are not sent. With $linkOnly, records of the read's source count
//    towards the size but are not named: a second read, only for blocks that are not too common
//    (the CASE evaluates it only then; reading `c.source` in the first read cost every mode a
//    quarter more). The ids come from the (block<k>, id) indexes (migration 0006), not from each
//    record's properties: `c.id IS NOT NULL` lets the planner seek that index, and returning c.id
//    straight from the seek makes it take the id from the index entry. One subquery per rule over
//    that rule's keys: a read crossing eight UNION branches, as before, cost ~40 % more
//    (docs/benchmarks.md).
// 3. Creates the records ($rows.records rows [key, id, source, values, linking, purposes,
//    anchorKey, identifier element ids, blocking keys by rule: 8 slots, null where a rule gives
//    none]). DESCRIBES ties a record to the identifiers its event carried (its provenance is the
//    event with the same key). Rule k's key is the indexed integer property block<k>. A record
//    whose event refuses identity_linking has no keys, so it is never a candidate.
//
// The reads come before the records exist, so no seek merges the transaction's uncommitted index
// entries, and they return blocks, not candidates: the worker adds the batch's own records, counts,
// drops each record itself, takes the lowest rule per candidate and applies the cap
// (src/resolver/batch-blocks.ts). Done here, that was an aggregation per record and a row per
// member, 40 % of Neo4j's statement time while ingesting (docs/benchmarks.md).
//
// The eight rule slots are spelled out because Cypher cannot name a property by a parameter and
// still use its index; the model file allows at most eight rules (src/matching/blocking.ts).
// Values are personal data and never logged.
// Lists travel as fields of one map parameter, $rows: Neo4j keys its plan cache on the sizes of
// top-level list parameters, so a statement with several lists of varying length was planned
// again (~0.5 s) for many batches (docs/benchmarks.md). Inside a map they are one plan.
CYPHER replan=skip
CALL () {
  MATCH (clock:MatchClock {name: 'records'})
  RETURN clock.seq AS seen
}
CALL () {
  UNWIND range(0, size($rows.probes.keys[0]) - 1) AS n
  WITH n, toInteger($rows.probes.keys[0][n]) AS key, $rows.probes.sources[0][n] AS source
  WITH n, key, source, COLLECT {
    MATCH (c:Record) WHERE c.block0 = key AND c.id IS NOT NULL
    RETURN c.id LIMIT toInteger($scanLimit)
  } AS members
  WITH n, members, CASE WHEN $linkOnly AND size(members) <= $maxBlock THEN COLLECT {
    MATCH (c:Record) WHERE c.block0 = key AND c.id IS NOT NULL AND c.source <> source
    RETURN c.id
  } ELSE members END AS named
  RETURN collect([
    n,
    size(members),
    CASE WHEN size(members) <= $maxBlock THEN reduce(ids = '', id IN named | ids + $separator + id) ELSE '' END
  ]) AS blocks0
}
CALL () {
  UNWIND range(0, size($rows.probes.keys[1]) - 1) AS n
  WITH n, toInteger($rows.probes.keys[1][n]) AS key, $rows.probes.sources[1][n] AS source
  WITH n, key, source, COLLECT {
    MATCH (c:Record) WHERE c.block1 = key AND c.id IS NOT NULL
    RETURN c.id LIMIT toInteger($scanLimit)
  } AS members
  WITH n, members, CASE WHEN $linkOnly AND size(members) <= $maxBlock THEN COLLECT {
    MATCH (c:Record) WHERE c.block1 = key AND c.id IS NOT NULL AND c.source <> source
    RETURN c.id
  } ELSE members END AS named
  RETURN collect([
    n,
    size(members),
    CASE WHEN size(members) <= $maxBlock THEN reduce(ids = '', id IN named | ids + $separator + id) ELSE '' END
  ]) AS blocks1
}
CALL () {
  UNWIND range(0, size($rows.probes.keys[2]) - 1) AS n
  WITH n, toInteger($rows.probes.keys[2][n]) AS key, $rows.probes.sources[2][n] AS source
  WITH n, key, source, COLLECT {
    MATCH (c:Record) WHERE c.block2 = key AND c.id IS NOT NULL
    RETURN c.id LIMIT toInteger($scanLimit)
  } AS members
  WITH n, members, CASE WHEN $linkOnly AND size(members) <= $maxBlock THEN COLLECT {
    MATCH (c:Record) WHERE c.block2 = key AND c.id IS NOT NULL AND c.source <> source
    RETURN c.id
  } ELSE members END AS named
  RETURN collect([
    n,
    size(members),
    CASE WHEN size(members) <= $maxBlock THEN reduce(ids = '', id IN named | ids + $separator + id) ELSE '' END
  ]) AS blocks2
}
CALL () {
  UNWIND range(0, size($rows.probes.keys[3]) - 1) AS n
  WITH n, toInteger($rows.probes.keys[3][n]) AS key, $rows.probes.sources[3][n] AS source
  WITH n, key, source, COLLECT {
    MATCH (c:Record) WHERE c.block3 = key AND c.id IS NOT NULL
    RETURN c.id LIMIT toInteger($scanLimit)
  } AS members
  WITH n, members, CASE WHEN $linkOnly AND size(members) <= $maxBlock THEN COLLECT {
    MATCH (c:Record) WHERE c.block3 = key AND c.id IS NOT NULL AND c.source <> source
    RETURN c.id
  } ELSE members END AS named
  RETURN collect([
    n,
    size(members),
    CASE WHEN size(members) <= $maxBlock THEN reduce(ids = '', id IN named | ids + $separator + id) ELSE '' END
  ]) AS blocks3
}
CALL () {
  UNWIND range(0, size($rows.probes.keys[4]) - 1) AS n
  WITH n, toInteger($rows.probes.keys[4][n]) AS key, $rows.probes.sources[4][n] AS source
  WITH n, key, source, COLLECT {
    MATCH (c:Record) WHERE c.block4 = key AND c.id IS NOT NULL
    RETURN c.id LIMIT toInteger($scanLimit)
  } AS members
  WITH n, members, CASE WHEN $linkOnly AND size(members) <= $maxBlock THEN COLLECT {
    MATCH (c:Record) WHERE c.block4 = key AND c.id IS NOT NULL AND c.source <> source
    RETURN c.id
  } ELSE members END AS named
  RETURN collect([
    n,
    size(members),
    CASE WHEN size(members) <= $maxBlock THEN reduce(ids = '', id IN named | ids + $separator + id) ELSE '' END
  ]) AS blocks4
}
CALL () {
  UNWIND range(0, size($rows.probes.keys[5]) - 1) AS n
  WITH n, toInteger($rows.probes.keys[5][n]) AS key, $rows.probes.sources[5][n] AS source
  WITH n, key, source, COLLECT {
    MATCH (c:Record) WHERE c.block5 = key AND c.id IS NOT NULL
    RETURN c.id LIMIT toInteger($scanLimit)
  } AS members
  WITH n, members, CASE WHEN $linkOnly AND size(members) <= $maxBlock THEN COLLECT {
    MATCH (c:Record) WHERE c.block5 = key AND c.id IS NOT NULL AND c.source <> source
    RETURN c.id
  } ELSE members END AS named
  RETURN collect([
    n,
    size(members),
    CASE WHEN size(members) <= $maxBlock THEN reduce(ids = '', id IN named | ids + $separator + id) ELSE '' END
  ]) AS blocks5
}
CALL () {
  UNWIND range(0, size($rows.probes.keys[6]) - 1) AS n
  WITH n, toInteger($rows.probes.keys[6][n]) AS key, $rows.probes.sources[6][n] AS source
  WITH n, key, source, COLLECT {
    MATCH (c:Record) WHERE c.block6 = key AND c.id IS NOT NULL
    RETURN c.id LIMIT toInteger($scanLimit)
  } AS members
  WITH n, members, CASE WHEN $linkOnly AND size(members) <= $maxBlock THEN COLLECT {
    MATCH (c:Record) WHERE c.block6 = key AND c.id IS NOT NULL AND c.source <> source
    RETURN c.id
  } ELSE members END AS named
  RETURN collect([
    n,
    size(members),
    CASE WHEN size(members) <= $maxBlock THEN reduce(ids = '', id IN named | ids + $separator + id) ELSE '' END
  ]) AS blocks6
}
CALL () {
  UNWIND range(0, size($rows.probes.keys[7]) - 1) AS n
  WITH n, toInteger($rows.probes.keys[7][n]) AS key, $rows.probes.sources[7][n] AS source
  WITH n, key, source, COLLECT {
    MATCH (c:Record) WHERE c.block7 = key AND c.id IS NOT NULL
    RETURN c.id LIMIT toInteger($scanLimit)
  } AS members
  WITH n, members, CASE WHEN $linkOnly AND size(members) <= $maxBlock THEN COLLECT {
    MATCH (c:Record) WHERE c.block7 = key AND c.id IS NOT NULL AND c.source <> source
    RETURN c.id
  } ELSE members END AS named
  RETURN collect([
    n,
    size(members),
    CASE WHEN size(members) <= $maxBlock THEN reduce(ids = '', id IN named | ids + $separator + id) ELSE '' END
  ]) AS blocks7
}
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
    block0: toInteger(row[8][0]),
    block1: toInteger(row[8][1]),
    block2: toInteger(row[8][2]),
    block3: toInteger(row[8][3]),
    block4: toInteger(row[8][4]),
    block5: toInteger(row[8][5]),
    block6: toInteger(row[8][6]),
    block7: toInteger(row[8][7])
  })
  WITH r, row
  CALL (r, row) {
    UNWIND row[7] AS identifierId
    MATCH (i:Identifier) WHERE elementId(i) = identifierId
    CREATE (r)-[:DESCRIBES]->(i)
  }
}
RETURN seen, [blocks0, blocks1, blocks2, blocks3, blocks4, blocks5, blocks6, blocks7] AS blocks
