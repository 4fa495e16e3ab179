// Benchmark only (bench/lookup.ts): bulk-loads persons with their identifiers in the shape the
// resolver writes (docs/architecture.md, graph model): (:Identifier)-[:BELONGS_TO]->(:Person).
// The graph holds none of them yet, so plain CREATE; the unique constraints still check every key.
// $persons: [{id, createdAt, updatedAt, identifiers: [{key, type, value, lastSeen}]}].
UNWIND $persons AS row
CREATE (p:Person {id: row.id, status: 'active', createdAt: toInteger(row.createdAt), updatedAt: toInteger(row.updatedAt)})
WITH p, row
UNWIND row.identifiers AS id
CREATE (:Identifier {key: id.key, type: id.type, value: id.value, createdAt: toInteger(row.createdAt), lastSeen: toInteger(id.lastSeen)})-[:BELONGS_TO]->(p)
