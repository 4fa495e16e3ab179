// A runner takes a request: pending, in progress (a crashed runner's) or failed (a retried dead
// letter) becomes in_progress under the runner's token; from then on only that runner's progress
// commits (write/privacy-request-progress), so a runner whose job was taken over cannot write over
// its successor. A completed request is returned as it is: its job has nothing left to do.
MATCH (r:PrivacyRequest {id: $id})
WITH r, r.status IN ['pending', 'in_progress', 'failed'] AS runnable
FOREACH (_ IN CASE WHEN runnable THEN [1] ELSE [] END |
  SET r.status = 'in_progress', r.runner = $runner, r.failure = null,
      r.updatedAt = toInteger($now), r.startedAt = coalesce(r.startedAt, toInteger($now))
)
RETURN r {.*} AS request
