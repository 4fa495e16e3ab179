// An access export's records: the source records anchored on an identifier of a page of the
// subject's keys (their attribute values are the subject's), each with the reviews about it.
UNWIND $keys AS key
MATCH (:Identifier {key: key})<-[:DESCRIBES]-(r:Record)
WHERE r.anchorKey = key
RETURN r {.id, .key, .source, .values, .anchorKey, .linking, .purposes, .createdAt} AS record,
       COLLECT {
         MATCH (rv:Review)-[:ABOUT]->(r)
         RETURN rv {.id, .status, .probability, .matchWeight, .modelVersion, .decision, .reason,
                    .decidedBy, .decidedAt, .createdAt, .updatedAt}
       } AS reviews
ORDER BY r.key
