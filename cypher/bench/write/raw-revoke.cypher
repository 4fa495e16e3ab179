// Benchmark only (bench/privacy.ts): the raw revocation of $purposes (identity_linking among them)
// a revoke request of a whole person is compared with, in one transaction: each of the person's
// identifiers gets a denied ConsentState per purpose (updated in place, or created) and a
// ConsentChange; every link incident to them loses the purposes and is withdrawn; and, as no
// active link is left among them, each identifier but the oldest moves to a new person of its own
// (what the split rule makes of it). No locks, pages, audit or feed entries, and no component
// computation: the raw side knows the outcome.
MATCH (p:Person {id: $personId})<-[:BELONGS_TO]-(i:Identifier)
WITH p, i
ORDER BY i.createdAt, i.key
WITH p, collect(i) AS identifiers
CALL (identifiers) {
  UNWIND identifiers AS i
  UNWIND $purposes AS purpose
  OPTIONAL MATCH (i)<-[:OF]-(s:ConsentState {purpose: purpose})
  FOREACH (x IN CASE WHEN s IS NULL THEN [1] ELSE [] END |
    CREATE (i)<-[:OF]-(:ConsentState {purpose: purpose, granted: false, at: toInteger($now), source: 'privacy_request', requestId: $requestId, createdAt: toInteger($now), updatedAt: toInteger($now)}))
  SET s.granted = false, s.at = toInteger($now), s.source = 'privacy_request', s.eventKey = null,
      s.requestId = $requestId, s.updatedAt = toInteger($now)
  CREATE (:ConsentChange {id: randomUUID(), purpose: purpose, granted: false, at: toInteger($now), source: 'privacy_request', requestId: $requestId, recordedAt: toInteger($now)})-[:OF]->(i)
  RETURN count(*) AS denials
}
CALL (identifiers) {
  UNWIND identifiers AS i
  MATCH (i)-[l:LINKED]-(:Identifier)
  WITH DISTINCT l
  SET l.purposes = [x IN coalesce(l.purposes, []) WHERE NOT x IN $purposes],
      l.status = CASE WHEN l.status = 'active' THEN 'withdrawn' ELSE l.status END,
      l.updatedAt = toInteger($now)
  RETURN count(*) AS links
}
CALL (p, identifiers) {
  UNWIND tail(identifiers) AS i
  MATCH (i)-[r:BELONGS_TO]->(p)
  DELETE r
  CREATE (i)-[:BELONGS_TO]->(:Person {id: randomUUID(), status: 'active', createdAt: toInteger($now), updatedAt: toInteger($now), splitFrom: p.id})
  RETURN count(*) AS parts
}
SET p.updatedAt = toInteger($now)
RETURN denials, links, parts
