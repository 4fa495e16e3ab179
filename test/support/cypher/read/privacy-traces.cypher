// Tests only: every property of privacy request nodes and audit records, as JSON-able maps, to
// search them for identifier values.
MATCH (n)
WHERE n:PrivacyRequest OR n:AuditRecord OR n:Suppression
RETURN labels(n) AS labels, properties(n) AS properties
