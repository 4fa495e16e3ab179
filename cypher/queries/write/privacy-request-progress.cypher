// Commits a step's progress in the transaction of its last write: the report so far, the steps
// done ($steps, in order: empty for a page of a step still running; several when steps share the
// transaction), the subject's hashes once resolved, and with $complete the end of the request.
// Only the runner holding the request writes: no row back means another runner took it over, and
// the caller rolls the transaction back.
MATCH (r:PrivacyRequest {id: $id})
WHERE r.runner = $runner AND r.status = 'in_progress'
SET r.report = $report,
    r.updatedAt = toInteger($now),
    r.stepsDone = r.stepsDone + [step IN $steps WHERE NOT step IN r.stepsDone],
    r.subjectHashes = coalesce($subjectHashes, r.subjectHashes),
    r.status = CASE WHEN $complete THEN 'completed' ELSE r.status END,
    r.completedAt = CASE WHEN $complete THEN toInteger($now) ELSE r.completedAt END
RETURN r.id AS id
