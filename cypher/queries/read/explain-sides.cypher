// The two identifiers of POST /v1/explain, by key ($keys[n], normalised as ingestion does): whether
// each is known, its type and value, its person and the ids merged into that person (a merged id is
// one hop from its survivor), whether its identity_linking consent is denied, and whether its keyed
// hash ($hashes[n], never the key itself) is on the suppression list: an erased identifier is
// unknown, and the list is what tells it from one never seen. One row per key, in $keys order.
// Values are personal data: the caller never logs them.
UNWIND range(0, size($keys) - 1) AS n
WITH n, $keys[n] AS key, $hashes[n] AS hash
OPTIONAL MATCH (i:Identifier {key: key})
OPTIONAL MATCH (i)-[:BELONGS_TO]->(p:Person)
RETURN
  n,
  i IS NOT NULL AS known,
  i.type AS type,
  i.value AS value,
  p.id AS personId,
  CASE WHEN p IS NULL THEN [] ELSE [(old:Person)-[:MERGED_INTO]->(p) | old.id] END AS mergedIds,
  i IS NOT NULL AND EXISTS {
    (i)<-[:OF]-(:ConsentState {purpose: 'identity_linking', granted: false})
  } AS linkingDenied,
  EXISTS { (:Suppression {hash: hash}) } AS suppressed
ORDER BY n
