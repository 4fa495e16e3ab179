// Benchmark only (bench/ui.ts): one person for the console to draw, in the shape the resolver
// writes (docs/architecture.md, graph model): $identifiers [{key, type, value}] belong to it, and
// $links [{fromKey, toKey, id, method, rule, confidence}] are active links between them, consented
// for $purposes. The graph holds none of these yet, so plain CREATE.
CREATE (p:Person {id: $personId, status: 'active', createdAt: $now, updatedAt: $now})
WITH p
UNWIND $identifiers AS row
CREATE (:Identifier {key: row.key, type: row.type, value: row.value, createdAt: $now, lastSeen: $now})
       -[:BELONGS_TO {since: $now}]->(p)
WITH count(*) AS created
UNWIND $links AS row
MATCH (a:Identifier {key: row.fromKey})
MATCH (b:Identifier {key: row.toKey})
CREATE (a)-[:LINKED {
  id: row.id, status: 'active', method: row.method, rule: row.rule, confidence: row.confidence,
  createdAt: $now, updatedAt: $now, firstSeen: $now, lastSeen: $now,
  sources: ['bench'], purposes: $purposes, events: [row.event], evidenceCount: 1
}]->(b)
RETURN count(*) AS links
