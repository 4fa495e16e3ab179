// Names the privacy request, its type and actor on an audit record written by a shared statement
// (a split by write/split-person) in the request's transaction.
MATCH (a:AuditRecord {id: $id})
SET a.requestId = $requestId, a.requestType = $requestType, a.actor = $actor
RETURN a.id AS id
