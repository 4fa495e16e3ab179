// Write-locks a link's person and reads what re-scoring the link needs: its ends, status, method,
// model version, and the two records it was scored on (values are personal data: never logged).
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
       collect([r.key, r.source, r.values]) AS records
