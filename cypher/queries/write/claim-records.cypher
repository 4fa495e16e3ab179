// The resolver's matching statement, run after write/claim-batch when claimed events carry
// attributes: stores their source records, files them under their blocking keys, and returns each
// record's candidates, in one round trip.
//
// 1. Locks the batch's blocking keys in key order ($blocks is sorted; rows [hash, records]) and
//    counts the records in each. Two batches whose records could match share a key, so the later one
//    waits here and then sees the earlier one's records: a pair is scored exactly once, when its
//    second record arrives, whichever worker takes it.
// 2. Creates the records ($records rows [key, id, source, values, linking, purposes, anchorKey,
//    identifier element ids, block hashes in rule order]): DESCRIBES ties a record to the
//    identifiers its event carried (its provenance is the event with the same key); IN_BLOCK files it.
//    A record whose event refuses identity_linking has no blocks, so it is never a candidate.
// 3. Per record with blocks, its candidates: the records sharing a block, earlier rules first, then
//    by key; blocks grown past $maxBlock are skipped (too common to say anything); at most $cap are
//    returned, with the distinct count before the cap. A candidate comes with its values, consent
//    and anchor identifier (the identifier a probabilistic link joins) and the anchor's person.
//
// Records are addressed by key (unique constraint); values are personal data and never logged.
CYPHER replan=skip
CALL () {
  UNWIND $blocks AS row
  MERGE (b:BlockKey {key: row[0]})
    ON CREATE SET b.size = toInteger(row[1]), b.createdAt = toInteger($now)
    ON MATCH SET b.size = b.size + toInteger(row[1])
}
CALL () {
  UNWIND $records AS row
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
  WITH r, row
  CALL (r, row) {
    UNWIND row[7] AS identifierId
    MATCH (i:Identifier) WHERE elementId(i) = identifierId
    CREATE (r)-[:DESCRIBES]->(i)
  }
  CALL (r, row) {
    UNWIND row[8] AS hash
    MATCH (b:BlockKey {key: hash})
    CREATE (r)-[:IN_BLOCK]->(b)
  }
}
CALL () {
  UNWIND range(0, size($records) - 1) AS n
  WITH n, $records[n] AS row
  WHERE size(row[8]) > 0
  MATCH (r:Record {key: row[0]})
  CALL (r, row) {
    UNWIND range(0, size(row[8]) - 1) AS k
    MATCH (b:BlockKey {key: row[8][k]})
    WHERE b.size <= $maxBlock
    MATCH (b)<-[:IN_BLOCK]-(c:Record)
    WHERE c <> r AND (NOT $linkOnly OR c.source <> r.source)
    WITH c, min(k) AS rule
    ORDER BY rule, c.key
    RETURN count(c) AS found, collect(c)[..$cap] AS taken
  }
  CALL (taken) {
    UNWIND taken AS c
    MATCH (a:Identifier {key: c.anchorKey})
    OPTIONAL MATCH (a)-[:BELONGS_TO]->(p:Person)
    RETURN collect([c.key, c.id, c.source, c.values, c.purposes, a.key, a.type, elementId(a), p.id]) AS candidates
  }
  RETURN collect([n, found, candidates]) AS candidates
}
RETURN candidates
