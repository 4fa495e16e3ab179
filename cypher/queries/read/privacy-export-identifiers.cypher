// An access export's identifiers (src/privacy/access-export-read.ts): for a page of the subject's
// keys, each identifier idgraph holds, its person, and its consent per purpose: the current states
// and every recorded change, oldest first. Values are personal data: they go into the export only.
UNWIND $keys AS key
MATCH (i:Identifier {key: key})
OPTIONAL MATCH (i)-[:BELONGS_TO]->(p:Person)
RETURN i.key AS key, i.type AS type, i.value AS value, i.createdAt AS createdAt, i.lastSeen AS lastSeen,
       p.id AS personId,
       COLLECT {
         MATCH (i)<-[:OF]-(s:ConsentState)
         WITH s ORDER BY s.purpose
         RETURN s {.purpose, .granted, .at, .source, .eventKey, .requestId}
       } AS states,
       COLLECT {
         MATCH (i)<-[:OF]-(c:ConsentChange)
         WITH c ORDER BY c.purpose, c.at, c.recordedAt, c.id
         RETURN c {.purpose, .granted, .at, .source, .eventKey, .requestId, .recordedAt}
       } AS changes
ORDER BY key
