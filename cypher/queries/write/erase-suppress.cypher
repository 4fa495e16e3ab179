// An erase request's `suppress` step: puts the subject's identifiers on the suppression list, one
// `Suppression` per keyed hash ($hashes[n] is the hash of $keys[n]; never the key itself). Each
// identifier is first MERGEd and write-locked by key, in key order ($keys is sorted) as a batch
// locks them: a batch that holds one commits first and its identifiers are erased with the rest; a
// batch that comes later finds the suppression under its lock (write/claim-batch) and drops the
// identifier. An identifier this MERGE had to create only held the key's lock and is deleted again.
// Returns how many hashes were not suppressed before.
UNWIND range(0, size($keys) - 1) AS n
WITH $keys[n] AS key, $hashes[n] AS hash
MERGE (i:Identifier {key: key})
  ON CREATE SET i.erasePlaceholder = true
  ON MATCH SET i.lastSeen = i.lastSeen
WITH i, hash, EXISTS { (:Suppression {hash: hash}) } AS existed
MERGE (s:Suppression {hash: hash})
  ON CREATE SET s.at = toInteger($now), s.requestId = $requestId
WITH i, existed
CALL (i) {
  WITH i
  WHERE i.erasePlaceholder
  DELETE i
}
RETURN sum(CASE WHEN existed THEN 0 ELSE 1 END) AS added
