// Benchmark only (bench/export.ts): the raw ceiling of `idgraph export --links`: every identifier
// in key order with the links that start at it, the rows read/export-links-page gives page by
// page, in one read streamed through the driver.
MATCH (i:Identifier)
WITH i
ORDER BY i.key
RETURN i.key AS key, i.type AS fromType, i.value AS fromValue,
       [(i)-[l:LINKED]->(o:Identifier) | {
         id: l.id, toType: o.type, toValue: o.value, status: l.status, method: l.method,
         rule: l.rule, confidence: l.confidence, purposes: l.purposes, sources: l.sources,
         firstSeen: l.firstSeen, lastSeen: l.lastSeen, evidenceCount: l.evidenceCount,
         modelVersion: l.modelVersion
       }] AS links
