// Active probabilistic links scored by another model version than $version, by id, one page after
// $after: what `idgraph model rescore` re-evaluates. With each link the version it was scored by,
// the keys of the record pair it was scored on, and those records ([key, source, values], by key;
// values are personal data and never logged), read without a lock: records never change, and the
// rescore writes a link's new score only where write/rescore-links finds it unchanged under lock.
MATCH ()-[l:LINKED]->()
WHERE l.method = 'probabilistic' AND l.status = 'active' AND l.modelVersion <> $version AND l.id > $after
WITH l
ORDER BY l.id
LIMIT toInteger($limit)
CALL (l) {
  UNWIND coalesce(l.records, []) AS key
  MATCH (r:Record {key: key})
  WITH r
  ORDER BY r.key
  RETURN collect([r.key, r.source, r.values]) AS records
}
RETURN l.id AS id, l.modelVersion AS modelVersion, coalesce(l.records, []) AS pair, records
ORDER BY id
