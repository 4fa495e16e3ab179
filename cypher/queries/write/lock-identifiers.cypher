// Write-locks identifiers by key, in key order ($keys is sorted), and reads their persons and
// whether their identity_linking consent is denied under the lock: what a review decision needs
// before it plans a join. `SET` takes the lock and changes nothing.
UNWIND $keys AS key
MATCH (i:Identifier {key: key})
SET i.lastSeen = i.lastSeen
WITH key, i
OPTIONAL MATCH (i)-[:BELONGS_TO]->(p)
RETURN key, elementId(i) AS elementId, i.type AS type, p.id AS personId,
       EXISTS { (i)<-[:OF]-(:ConsentState {purpose: 'identity_linking', granted: false}) } AS linkingDenied
