// Commits a step's progress in the transaction of its last write: the report so far, the step
// done ($step, or null for a page of a step still running), the subject's hashes once resolved,
// and with $complete the end of the request. Only the runner holding the request writes: no row
// back means another runner took it over, and the caller rolls the transaction back.
MATCH (r:PrivacyRequest {id: $id})
WHERE r.runner = $runner AND r.status = 'in_progress'
SET r.report = $report,
    r.updatedAt = toInteger($now),
    r.stepsDone = CASE
      WHEN $step IS NULL OR $step IN r.stepsDone THEN r.stepsDone
      ELSE r.stepsDone + [$step]
    END,
    r.subjectHashes = coalesce($subjectHashes, r.subjectHashes),
    r.status = CASE WHEN $complete THEN 'completed' ELSE r.status END,
    r.completedAt = CASE WHEN $complete THEN toInteger($now) ELSE r.completedAt END
RETURN r.id AS id
