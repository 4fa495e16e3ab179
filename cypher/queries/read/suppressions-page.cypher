// One page of the suppression list (keyed hashes of erased identifiers, never values), by hash
// after $after (null: from the start): `idgraph replay` copies it to its target before any event.
MATCH (s:Suppression)
WHERE $after IS NULL OR s.hash > $after
RETURN s.hash AS hash, s.at AS at, s.requestId AS requestId
ORDER BY s.hash
LIMIT toInteger($limit)
