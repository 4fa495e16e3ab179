// What `idgraph model rescore` has ahead of it, for its progress and ETA: the records (each scored
// again) and the active probabilistic links scored by another model version than $version.
CALL () {
  MATCH (r:Record)
  RETURN count(r) AS records
}
CALL () {
  MATCH ()-[l:LINKED]->()
  WHERE l.method = 'probabilistic' AND l.status = 'active' AND l.modelVersion <> $version
  RETURN count(l) AS links
}
RETURN records, links
