// Puts identifiers that had no person into their person (both locked by this transaction).
UNWIND $rows AS row
MATCH (i:Identifier {key: row.key})
MATCH (p:Person {id: row.personId})
CREATE (i)-[:BELONGS_TO]->(p)
SET p.updatedAt = toInteger($now)
