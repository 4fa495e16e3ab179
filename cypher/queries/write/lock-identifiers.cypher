// Creates the batch's identifiers and write-locks all of them, in key order ($identifiers is sorted),
// so concurrent batches queue up instead of deadlocking where they can. Setting `lastBatch` to a
// value unique to this attempt guarantees the write (and so the lock) happens.
// Returns each identifier's current person, read under that lock.
UNWIND $identifiers AS row
MERGE (i:Identifier {key: row.key})
  ON CREATE SET i.type = row.type, i.value = row.value, i.createdAt = toInteger($now)
SET
  i.lastBatch = $claim,
  i.lastSeen = CASE WHEN i.lastSeen IS NULL OR i.lastSeen < toInteger(row.lastSeen) THEN toInteger(row.lastSeen) ELSE i.lastSeen END
WITH i
OPTIONAL MATCH (i)-[:BELONGS_TO]->(p:Person)
RETURN i.key AS key, p.id AS personId
