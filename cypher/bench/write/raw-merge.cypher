// Benchmark only (bench/ingest.ts): the raw write ceiling for ingest. MERGEs the identifiers of one
// batch ($identifiers: distinct, sorted by key) and, when $pairs is not empty, one LINKED relationship
// per distinct identifier pair of the batch. No event log, persons, locks or resolution logic.
UNWIND $identifiers AS row
MERGE (i:Identifier {key: row.key})
  ON CREATE SET i.type = row.type, i.value = row.value, i.createdAt = toInteger($now)
WITH count(i) AS merged
UNWIND $pairs AS pair
MATCH (a:Identifier {key: pair.fromKey})
MATCH (b:Identifier {key: pair.toKey})
MERGE (a)-[l:LINKED]->(b)
  ON CREATE SET l.createdAt = toInteger($now)
