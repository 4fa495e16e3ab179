// The resolver's matching statement, run after write/claim-batch when claimed events carry
// attributes: stores their source records, files them under their blocking keys, and returns each
// record's candidates, in one round trip.
//
// 1. Locks the batch's blocking keys in key order ($blocks is sorted; rows [hash, records]). Two
//    batches whose records could match share a key, so the later one waits here and then sees the
//    earlier one's records: a pair is scored exactly once, when its second record arrives, whichever
//    worker takes it. The no-op SET takes the lock without writing (Neo4j locks before it compares).
// 2. Creates the records ($records rows [key, id, source, values, linking, purposes, anchorKey,
//    identifier element ids, positions in $blocks of its keys in rule order]): DESCRIBES ties a record to the
//    identifiers its event carried (its provenance is the event with the same key); IN_BLOCK files it.
//    A record whose event refuses identity_linking has no blocks, so it is never a candidate.
// 3. Per record with blocks, its candidates: the records sharing a block, earlier rules first, then
//    by key; blocks grown past $maxBlock records are skipped (too common to say anything; the size is
//    the node's degree, which Neo4j keeps for dense nodes); at most $cap are returned, with the
//    distinct count before the cap. A candidate comes as [key, source, values, purposes, anchor key]:
//    the anchors of the few candidates that match are looked up afterwards (write/read-anchors), not
//    those of every candidate.
//
// Blocking keys and records are carried between the parts as lists of nodes and addressed by
// position, so each is looked up in its index once. Only records and IN_BLOCK lead into a
// BlockKey, so candidates need no label check. Values are personal data and never logged.
CYPHER replan=skip
CALL () {
  UNWIND range(0, size($blocks) - 1) AS n
  WITH n, $blocks[n] AS row
  MERGE (b:BlockKey {key: row[0]})
    ON CREATE SET b.createdAt = toInteger($now)
    ON MATCH SET b.createdAt = b.createdAt
  WITH n, b
  ORDER BY n
  RETURN collect(b) AS blockNodes
}
CALL (blockNodes) {
  UNWIND range(0, size($records) - 1) AS n
  WITH n, $records[n] AS row
  CREATE (r:Record {
    key: row[0],
    id: row[1],
    source: row[2],
    values: row[3],
    linking: row[4],
    purposes: row[5],
    anchorKey: row[6],
    createdAt: toInteger($now),
    jobId: $jobId
  })
  WITH n, r, row
  CALL (r, row) {
    UNWIND row[7] AS identifierId
    MATCH (i:Identifier) WHERE elementId(i) = identifierId
    CREATE (r)-[:DESCRIBES]->(i)
  }
  CALL (r, row, blockNodes) {
    UNWIND row[8] AS position
    WITH r, blockNodes[toInteger(position)] AS b
    CREATE (r)-[:IN_BLOCK]->(b)
  }
  WITH n, r
  ORDER BY n
  RETURN collect(r) AS recordNodes
}
CALL (blockNodes, recordNodes) {
  UNWIND range(0, size($records) - 1) AS n
  WITH n, $records[n] AS row, recordNodes[n] AS r
  WHERE size(row[8]) > 0
  CALL (r, row, blockNodes) {
    UNWIND range(0, size(row[8]) - 1) AS k
    WITH r, k, blockNodes[toInteger(row[8][k])] AS b
    WHERE COUNT { (b)<-[:IN_BLOCK]-() } <= $maxBlock
    MATCH (b)<-[:IN_BLOCK]-(c)
    WHERE c <> r AND (NOT $linkOnly OR c.source <> r.source)
    WITH c, min(k) AS rule
    ORDER BY rule, c.key
    WITH collect(c) AS pool
    RETURN size(pool) AS found, [c IN pool[..$cap] | [c.key, c.source, c.values, c.purposes, c.anchorKey]] AS candidates
  }
  RETURN collect([n, found, candidates]) AS candidates
}
RETURN candidates
