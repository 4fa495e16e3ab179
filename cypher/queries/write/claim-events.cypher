// Claims the batch's events in the append-only event log (the idempotency record).
// An event already logged is a duplicate, or a replay of this same job after a crash: either way it
// is not applied again. `claim` is unique per transaction attempt, so `claimed` is true only for
// events this attempt created.
UNWIND $events AS e
MERGE (ev:Event {key: e.key})
  ON CREATE SET
    ev.source = e.source,
    ev.eventId = e.eventId,
    ev.occurredAt = toInteger(e.occurredAt),
    ev.receivedAt = toInteger($now),
    ev.jobId = $jobId,
    ev.claim = $claim,
    ev.linking = e.linking,
    ev.purposes = e.purposes,
    ev.payload = e.payload
RETURN e.key AS key, ev.claim = $claim AS claimed, ev.jobId = $jobId AS sameJob
