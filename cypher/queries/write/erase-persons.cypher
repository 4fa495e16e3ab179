// Deletes persons an erasure left without identifiers ($personIds, write-locked by the caller),
// together with the merged tombstones that point at them, so those ids answer 404 like ids idgraph
// never issued. Audit records stay; their CONCERNS relationships to the persons go. Returns the
// deleted ids, tombstones included.
UNWIND $personIds AS personId
MATCH (p:Person {id: personId})
WHERE NOT EXISTS { (p)<-[:BELONGS_TO]-() }
OPTIONAL MATCH (m:Person)-[:MERGED_INTO]->(p)
WITH p, collect(m) AS tombstones
WITH p, tombstones, [p.id] + [m IN tombstones | m.id] AS ids
FOREACH (m IN tombstones | DETACH DELETE m)
DETACH DELETE p
RETURN ids
