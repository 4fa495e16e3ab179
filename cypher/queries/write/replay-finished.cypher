// Records a replay's end on its target: when, and how many events it replayed.
MATCH (r:ReplayRun {id: 'replay'})
SET r.finishedAt = toInteger($now), r.events = toInteger($events)
RETURN r.events AS events
