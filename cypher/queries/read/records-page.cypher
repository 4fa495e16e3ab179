// Records by key, one page after $after: rescoring walks every record once.
MATCH (r:Record)
WHERE r.key > $after
RETURN r.id AS id, r.key AS key, r.source AS source, r.values AS values, r.linking AS linking
ORDER BY r.key
LIMIT toInteger($limit)
