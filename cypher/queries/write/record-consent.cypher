// Sets consent states and appends their history (src/consent/consent-state.ts), for identifiers
// this transaction holds the write lock of: ingestion's (write/claim-batch locked them) or a
// privacy request's. The caller read the states under those locks and decided in TypeScript which
// assertion is current (src/consent/consent-rules.ts), so every row is written as given.
//
// $rows: [identifier element id, purpose, granted, at, source, eventKey, requestId, changes], one
// per identifier and purpose whose state changes; `changes` are the history entries, oldest first:
// [id, granted, at, source, eventKey, requestId]. One ConsentState per identifier and purpose:
// MERGEd from the locked identifier, so the expansion starts there.
// `replan=skip`: fixed by the element-id seek and the expansion from it.
CYPHER replan=skip
UNWIND $rows AS row
MATCH (i:Identifier) WHERE elementId(i) = row[0]
MERGE (i)<-[:OF]-(s:ConsentState {purpose: row[1]})
  ON CREATE SET s.createdAt = toInteger($now)
SET s.granted = row[2],
    s.at = toInteger(row[3]),
    s.source = row[4],
    s.eventKey = row[5],
    s.requestId = row[6],
    s.updatedAt = toInteger($now)
FOREACH (c IN row[7] |
  CREATE (:ConsentChange {
    id: c[0],
    purpose: row[1],
    granted: c[1],
    at: toInteger(c[2]),
    source: c[3],
    eventKey: c[4],
    requestId: c[5],
    recordedAt: toInteger($now)
  })-[:OF]->(i)
)
