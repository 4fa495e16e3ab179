// Puts keyed hashes on the suppression list as another graph holds them (`idgraph replay` copies
// the source's list to its target before any event, so what was erased stays out). $rows:
// [hash, at, requestId]. MERGE: copying a page twice leaves one entry.
UNWIND $rows AS row
MERGE (s:Suppression {hash: row[0]})
  ON CREATE SET s.at = toInteger(row[1]), s.requestId = row[2]
RETURN count(s) AS copied
