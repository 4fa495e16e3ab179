// One page of the event log in the order the graph received it, for `idgraph replay`
// (src/replay/): (receivedAt, key) after the cursor ($afterAt, $afterKey; -1 and '' from the
// start), up to $until (epoch ms). Events of one resolver transaction share receivedAt and jobId,
// so the replay gives them to the resolver as the batch they were. The payload is the event as it
// was applied (suppressed identifiers already scrubbed from it). It holds personal data: the
// caller keeps a page in memory while it replays it, no longer.
MATCH (e:Event)
WHERE e.receivedAt >= $afterAt AND e.receivedAt <= $until
  AND (e.receivedAt > $afterAt OR e.key > $afterKey)
RETURN e.key AS key, e.receivedAt AS receivedAt, e.jobId AS jobId, e.payload AS payload
ORDER BY e.receivedAt, e.key
LIMIT toInteger($limit)
