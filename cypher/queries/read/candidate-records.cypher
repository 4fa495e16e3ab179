// Candidate records a worker has not cached (ids sorted), read inside the resolver's write
// transaction after write/claim-records named them: what scoring needs and never changes (values,
// source, event key, anchor key). Values are personal data and never logged.
UNWIND $ids AS id
MATCH (r:Record {id: id})
RETURN r.id AS id, r.key AS key, r.source AS source, r.values AS values, r.anchorKey AS anchorKey
