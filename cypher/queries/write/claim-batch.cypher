// The resolver's first statement: claims the batch's events, locks their identifiers and records
// which event mentioned which identifier, in one round trip.
//
// 1. Claims each event in the append-only event log (the idempotency record). An event already
//    logged is a duplicate, or a replay of this same job after a crash: either way it is not applied
//    again. `claim` is unique per transaction attempt, so an event is claimed only if this attempt
//    created it. `claimed` and `sameJob` come back in $events order.
//    $events rows: [key, source, eventId, occurredAt, linking, purposes, payload].
// 2. Creates the identifiers of the claimed events and write-locks them, in key order ($identifiers
//    is sorted by key), so concurrent batches queue up instead of deadlocking where they can. A
//    created node is locked by its creation, an existing one by the SET of `lastSeen`: Neo4j takes
//    the node's write lock before it compares values, so the SET locks even when the value stays.
//    $identifiers rows: [key, type, value, lastSeen, events, hash], where `events` are the positions
//    in $events of the events carrying the identifier, `lastSeen` is their latest occurredAt
//    (taking a duplicate's in too changes nothing: it was applied before) and `hash` is the key's
//    keyed hash (null without a suppression list).
// 3. Ties each claimed event to the identifiers it carried (MENTIONS): the provenance trail.
//
// Returns, per locked identifier, its position in $identifiers, its element id (the rest of the
// transaction addresses it by that id, which is stable while the lock is held), its current
// person and its consent states ([purpose, granted, at, source, eventKey, requestId]), read under
// the lock, and the positions of those on the suppression list (read under the lock: an erase
// suppresses an identifier under the same lock, src/privacy/erase-steps.ts); the resolver then
// runs the batch again without them (src/resolver/batch-suppression.ts). No person means the identifier was created just now: every committed identifier
// belongs to exactly one person. The states decide which identifiers the batch may link and what
// its events' consent changes (src/resolver/batch-consent.ts); only write/record-consent and
// privacy requests change them, both under the identifier's lock.
//
// `replan=skip`: the plan is fixed by the unique-key MERGEs and the expansion from bound nodes, so
// re-planning as the graph grows would only cost CPU.
// Lists travel as fields of one map parameter, $rows: Neo4j keys its plan cache on the sizes of
// top-level list parameters, so a statement with several lists of varying length would be planned
// again for many batches, and planning a statement this large is expensive. Inside a map they
// share one plan.
CYPHER replan=skip
CALL () {
  UNWIND range(0, size($rows.events) - 1) AS n
  WITH n, $rows.events[n] AS e
  WITH n, e[0] AS key, e[1] AS source, e[2] AS eventId, e[3] AS occurredAt, e[4] AS linking, e[5] AS purposes, e[6] AS payload
  MERGE (ev:Event {key: key})
    ON CREATE SET
      ev.source = source,
      ev.eventId = eventId,
      ev.occurredAt = toInteger(occurredAt),
      ev.receivedAt = toInteger($now),
      ev.jobId = $jobId,
      ev.claim = $claim,
      ev.linking = linking,
      ev.purposes = purposes,
      ev.payload = payload
  WITH n, ev
  ORDER BY n
  RETURN collect(ev) AS logged, collect(ev.claim = $claim) AS claimed, collect(ev.jobId = $jobId) AS sameJob
}
CALL (logged, claimed) {
  UNWIND range(0, size($rows.identifiers) - 1) AS k
  WITH k, $rows.identifiers[k] AS row
  WITH k, row[0] AS key, row[1] AS type, row[2] AS value, toInteger(row[3]) AS lastSeen, row[4] AS events, row[5] AS hash
  WITH k, key, type, value, lastSeen, hash, [n IN events WHERE claimed[toInteger(n)] | logged[toInteger(n)]] AS mentionedBy
  WHERE size(mentionedBy) > 0
  MERGE (i:Identifier {key: key})
    ON CREATE SET i.type = type, i.value = value, i.createdAt = toInteger($now), i.lastSeen = lastSeen
    ON MATCH SET i.lastSeen = CASE WHEN i.lastSeen IS NULL OR i.lastSeen < lastSeen THEN lastSeen ELSE i.lastSeen END
  FOREACH (ev IN mentionedBy | CREATE (ev)-[:MENTIONS]->(i))
  WITH k, i, hash
  OPTIONAL MATCH (i)-[:BELONGS_TO]->(p)
  RETURN collect(CASE WHEN hash IS NOT NULL AND EXISTS { (:Suppression {hash: hash}) } THEN k END) AS suppressed, collect([
    k,
    elementId(i),
    p.id,
    [(i)<-[:OF]-(s:ConsentState) | [s.purpose, s.granted, s.at, s.source, s.eventKey, s.requestId]]
  ]) AS identifiers
}
RETURN claimed, sameJob, identifiers, suppressed
