// Marks a graph as the target of a replay (one ReplayRun node): when it started, and (by
// write/replay-finished) when it ended and how many events it replayed. Counts and times only.
MERGE (r:ReplayRun {id: 'replay'})
SET r.startedAt = toInteger($now), r.finishedAt = null, r.events = 0
RETURN r.startedAt AS startedAt
