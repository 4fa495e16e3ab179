// Write-locks a link's person and reads what re-scoring the link needs: its ends, status, method,
// model version, the keys of the record pair it was scored on and those two records (values are
// personal data: never logged). The person is found before the lock is taken: `lockedPersonId` is
// the link's person read again under it, and the caller starts again when another transaction
// (a split, a merge) moved the link meanwhile.
MATCH (a:Identifier)-[l:LINKED {id: $linkId}]->(b:Identifier)
MATCH (a)-[:BELONGS_TO]->(p:Person)
SET p.status = p.status
WITH l, a, b, p
OPTIONAL MATCH (r:Record)
WHERE r.key IN coalesce(l.records, [])
WITH l, a, b, p, r
ORDER BY r.key
RETURN l.status AS status, l.method AS method, l.modelVersion AS modelVersion, a.key AS fromKey,
       b.key AS toKey, p.id AS personId, p.status AS personStatus,
       head([(a)-[:BELONGS_TO]->(q) | q.id]) AS lockedPersonId, coalesce(l.records, []) AS pair,
       collect([r.key, r.source, r.values]) AS records
