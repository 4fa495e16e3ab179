// Marks a request failed for good with $failure (the step and the error's class or code, never a
// value). A completed request stays completed.
MATCH (r:PrivacyRequest {id: $id})
WHERE r.status <> 'completed'
SET r.status = 'failed', r.failure = $failure, r.updatedAt = toInteger($now)
RETURN r.id AS id
