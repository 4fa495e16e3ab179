// Marks a merge's audit record (locked by write/lock-audit-record) as reverted by the revert's own
// record, so a second revert answers 409.
MATCH (a:AuditRecord {id: $auditId})
SET a.revertedBy = $revertId, a.revertedAt = toInteger($now)
