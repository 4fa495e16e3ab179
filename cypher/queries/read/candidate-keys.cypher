// Event keys of candidate records a worker has not cached (ids sorted), read inside the resolver's
// write transaction for a record with more candidates than its cap: they order the candidates
// (earlier rules first, then by key) before any values are read (src/resolver/batch-blocks.ts).
UNWIND $ids AS id
MATCH (r:Record {id: id})
RETURN r.id AS id, r.key AS key
