// Benchmark only (bench/export.ts): the raw ceiling of `idgraph export`: every identifier with its
// active person in key order, the same rows read/export-identifiers-page gives page by page, in
// one read streamed through the driver.
MATCH (i:Identifier)
WITH i
ORDER BY i.key
OPTIONAL MATCH (i)-[:BELONGS_TO]->(p:Person {status: 'active'})
RETURN i.key AS key, i.type AS type, i.value AS value, p.id AS personId,
       i.createdAt AS firstSeen, i.lastSeen AS lastSeen
