// Benchmark only (bench/explain.ts): the least a why-answer must read, as one raw statement: the ids
// of the links on one shortest path of active links between two identifiers. POST /v1/explain is
// timed against it.
MATCH (a:Identifier {key: $fromKey})
MATCH (b:Identifier {key: $toKey})
MATCH p = shortestPath((a)-[:LINKED*..64]-(b))
WHERE all(l IN relationships(p) WHERE l.status = 'active')
RETURN [l IN relationships(p) | l.id] AS linkIds
