// Active probabilistic links scored by another model version than $version, by id, one page after
// $after: what `idgraph model rescore` re-evaluates.
MATCH ()-[l:LINKED]->()
WHERE l.method = 'probabilistic' AND l.status = 'active' AND l.modelVersion <> $version AND l.id > $after
RETURN l.id AS id
ORDER BY l.id
LIMIT toInteger($limit)
