// Source records by key, one page after $after: `idgraph model train` reads every record once,
// in key order (the unique constraint's index serves the range and the order). `values` is the
// JSON of the record's normalised attribute values: personal data, never logged.
MATCH (r:Record)
WHERE r.key > $after
RETURN r.key AS key, r.source AS source, r.values AS values
ORDER BY r.key
LIMIT toInteger($limit)
