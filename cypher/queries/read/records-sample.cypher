// Records whose id lies between $after and $before (exclusive), a page in id order: ids are random,
// so the records from a random id onwards are a uniform random sample of the graph's, read through
// the id index without scanning the rest (a u refresh, src/matching/refresh/record-sample.ts).
MATCH (r:Record)
WHERE r.id > $after AND r.id < $before
RETURN r.id AS id, r.key AS key, r.source AS source, r.values AS values, r.linking AS linking
ORDER BY r.id
LIMIT toInteger($limit)
