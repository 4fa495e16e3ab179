// The resolver's matching statement, run after write/claim-batch when claimed events carry
// attributes: stores their source records with their blocking keys, and returns each record's
// candidates, in one round trip. It takes no lock: concurrent batches read and score their
// candidates in parallel, and write/lock-matching then settles what they could not see of each
// other (the protocol is described there).
//
// 1. Reads the matching clock, before any candidate is read: write/lock-matching returns what was
//    committed since.
// 2. Creates the records ($records rows [key, id, source, values, linking, purposes, anchorKey,
//    identifier element ids, blocking keys by rule: 8 slots, null where a rule gives none]).
//    DESCRIBES ties a record to the identifiers its event carried (its provenance is the event with
//    the same key). Rule k's key is the indexed integer property block<k>: one index entry per key,
//    where a node per key and a relationship per record cost several times more (docs/benchmarks.md).
//    A record whose event refuses identity_linking has no keys, so it is never a candidate.
// 3. Per record with keys, its candidates: the committed records (and this batch's) sharing a key,
//    a block of more than $maxBlock records is skipped (too common to say anything; at most
//    $scanLimit = $maxBlock + 1 are read to find out); at most $cap are returned (earlier rules
//    first, then by key, when there are more), as record ids, with the distinct count before the
//    cap, and the size of each block read ([rule, size]: what the log adds to a block is weighed
//    against it). The ids come from the (block<k>, id) indexes (migration 0006), not from each
//    candidate's properties: `c.id IS NOT NULL` lets the planner seek that index, and projecting
//    c.id straight after the seek makes it take the id from the index entry. Only $linkOnly reads a
//    candidate's source. A worker keeps the values of records it has seen (they never change) and
//    reads the others with write/read-candidates; purposes and anchors of the few candidates that
//    match are read afterwards (write/read-anchors).
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
  UNWIND range(0, size($rows.records) - 1) AS n
  WITH n, $rows.records[n] AS row
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
  WITH n, r, row
  CALL (r, row) {
    UNWIND row[7] AS identifierId
    MATCH (i:Identifier) WHERE elementId(i) = identifierId
    CREATE (r)-[:DESCRIBES]->(i)
  }
  // One row once every record exists: the reads below see the whole batch (its records are
  // candidates of each other).
  RETURN count(r) AS filed
}
CALL (filed) {
  UNWIND range(0, size($rows.records) - 1) AS n
  WITH n, $rows.records[n] AS row
  WHERE any(key IN row[8] WHERE key IS NOT NULL)
  CALL (row) {
    CALL (row) {
      WITH row WHERE row[8][0] IS NOT NULL
      MATCH (c:Record) WHERE c.block0 = toInteger(row[8][0]) AND c.id IS NOT NULL
      WITH c, c.id AS id LIMIT toInteger($scanLimit)
      RETURN collect(CASE WHEN NOT $linkOnly OR c.source <> row[2] THEN id END) AS members, count(*) AS size, 0 AS k
      UNION ALL
      WITH row WHERE row[8][1] IS NOT NULL
      MATCH (c:Record) WHERE c.block1 = toInteger(row[8][1]) AND c.id IS NOT NULL
      WITH c, c.id AS id LIMIT toInteger($scanLimit)
      RETURN collect(CASE WHEN NOT $linkOnly OR c.source <> row[2] THEN id END) AS members, count(*) AS size, 1 AS k
      UNION ALL
      WITH row WHERE row[8][2] IS NOT NULL
      MATCH (c:Record) WHERE c.block2 = toInteger(row[8][2]) AND c.id IS NOT NULL
      WITH c, c.id AS id LIMIT toInteger($scanLimit)
      RETURN collect(CASE WHEN NOT $linkOnly OR c.source <> row[2] THEN id END) AS members, count(*) AS size, 2 AS k
      UNION ALL
      WITH row WHERE row[8][3] IS NOT NULL
      MATCH (c:Record) WHERE c.block3 = toInteger(row[8][3]) AND c.id IS NOT NULL
      WITH c, c.id AS id LIMIT toInteger($scanLimit)
      RETURN collect(CASE WHEN NOT $linkOnly OR c.source <> row[2] THEN id END) AS members, count(*) AS size, 3 AS k
      UNION ALL
      WITH row WHERE row[8][4] IS NOT NULL
      MATCH (c:Record) WHERE c.block4 = toInteger(row[8][4]) AND c.id IS NOT NULL
      WITH c, c.id AS id LIMIT toInteger($scanLimit)
      RETURN collect(CASE WHEN NOT $linkOnly OR c.source <> row[2] THEN id END) AS members, count(*) AS size, 4 AS k
      UNION ALL
      WITH row WHERE row[8][5] IS NOT NULL
      MATCH (c:Record) WHERE c.block5 = toInteger(row[8][5]) AND c.id IS NOT NULL
      WITH c, c.id AS id LIMIT toInteger($scanLimit)
      RETURN collect(CASE WHEN NOT $linkOnly OR c.source <> row[2] THEN id END) AS members, count(*) AS size, 5 AS k
      UNION ALL
      WITH row WHERE row[8][6] IS NOT NULL
      MATCH (c:Record) WHERE c.block6 = toInteger(row[8][6]) AND c.id IS NOT NULL
      WITH c, c.id AS id LIMIT toInteger($scanLimit)
      RETURN collect(CASE WHEN NOT $linkOnly OR c.source <> row[2] THEN id END) AS members, count(*) AS size, 6 AS k
      UNION ALL
      WITH row WHERE row[8][7] IS NOT NULL
      MATCH (c:Record) WHERE c.block7 = toInteger(row[8][7]) AND c.id IS NOT NULL
      WITH c, c.id AS id LIMIT toInteger($scanLimit)
      RETURN collect(CASE WHEN NOT $linkOnly OR c.source <> row[2] THEN id END) AS members, count(*) AS size, 7 AS k
    }
    WITH row, collect([k, members, size]) AS blocks
    CALL (row, blocks) {
      UNWIND blocks AS block
      WITH row, block
      WHERE block[2] <= $maxBlock
      UNWIND block[1] AS id
      WITH row, id, block[0] AS k
      WHERE id <> row[1]
      WITH id, min(k) AS rule
      WITH collect([rule, id]) AS pool
      // Only a record with more candidates than the cap needs them in order (the worker's scoring
      // does not depend on it): earlier rules first, then by key.
      CALL (pool) {
        UNWIND CASE WHEN size(pool) > $cap THEN pool ELSE [] END AS entry
        MATCH (c:Record {id: entry[1]})
        WITH entry, c.key AS key
        ORDER BY entry[0], key
        LIMIT toInteger($cap)
        RETURN collect(entry[1]) AS capped
      }
      WITH pool, CASE WHEN size(pool) > $cap THEN capped ELSE [entry IN pool | entry[1]] END AS chosen
      // One string, each id after $separator (ids are base64url: never one), rather than a list of
      // a few dozen strings per record: decoding strings one by one was a tenth of a worker's time.
      RETURN size(pool) AS found, reduce(ids = '', id IN chosen | ids + $separator + id) AS candidates
    }
    RETURN found, candidates, [block IN blocks | [block[0], block[2]]] AS sizes
  }
  RETURN collect([n, found, candidates, sizes]) AS candidates
}
RETURN seen, candidates
