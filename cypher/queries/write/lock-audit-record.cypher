// Write-locks an audit record before a revert of it (src/manual/manual-revert.ts), so two reverts
// of one merge serialise and the second finds `revertedBy` set. `SET` takes the lock and changes
// nothing. Returns what a revert needs: kind, time, survivor, absorbed person, and any revert.
MATCH (a:AuditRecord {id: $auditId})
SET a.kind = a.kind
RETURN a.kind AS kind, a.at AS at, a.survivorId AS survivorId, a.absorbedIds AS absorbedIds,
       a.revertedBy AS revertedBy
