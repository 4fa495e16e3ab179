// `idgraph export --links`: the links of one page of identifiers after $after in key order, each
// link at its start identifier (links run from the smaller key to the larger, so every link comes
// once). One row per identifier, also one without links (empty list), so the last row's key is
// always the next page's $after and a page shorter than $limit is the last. Every status
// (active, refused, withdrawn) is exported with it. Values are personal data: never logged.
MATCH (i:Identifier)
WHERE i.key > $after
WITH i
ORDER BY i.key
LIMIT toInteger($limit)
RETURN i.key AS key, i.type AS fromType, i.value AS fromValue,
       [(i)-[l:LINKED]->(o:Identifier) | {
         id: l.id, toType: o.type, toValue: o.value, status: l.status, method: l.method,
         rule: l.rule, confidence: l.confidence, purposes: l.purposes, sources: l.sources,
         firstSeen: l.firstSeen, lastSeen: l.lastSeen, evidenceCount: l.evidenceCount,
         modelVersion: l.modelVersion
       }] AS links
