// Audit records that concern a person (merges, refusals), newest first. No personal data in them.
MATCH (a:AuditRecord)-[:CONCERNS]->(:Person {id: $personId})
WHERE $kind IS NULL OR a.kind = $kind
RETURN a {.*} AS record
ORDER BY a.at DESC, a.id
LIMIT toInteger($limit)
