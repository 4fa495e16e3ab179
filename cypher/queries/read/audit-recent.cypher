// The newest audit records, optionally of one kind.
MATCH (a:AuditRecord)
WHERE $kind IS NULL OR a.kind = $kind
RETURN a {.*} AS record
ORDER BY a.at DESC, a.id
LIMIT toInteger($limit)
