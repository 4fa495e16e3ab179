// Marks the identifiers a batch's events did not link because their identity_linking consent was
// denied (src/resolver/batch-consent.ts): `linked: false` on the event's MENTIONS. An event links
// the others to its anchor (src/resolver/resolution-plan.ts); when that anchor's links go, the
// event's identifiers are linked again among themselves (src/resolver/event-anchors.ts), and the
// mark keeps those the event never linked out of it. $rows: [event key, identifier element id],
// both claimed and locked by this transaction.
UNWIND $rows AS row
MATCH (:Event {key: row[0]})-[m:MENTIONS]->(i:Identifier)
WHERE elementId(i) = row[1]
SET m.linked = false
