// An access export's events: the event-log entries that mention an identifier of a page of the
// subject's keys, with their payloads (as received: personal data, filtered to the subject's by
// the caller; an event mentioning identifiers of several pages comes once per page).
UNWIND $keys AS key
MATCH (:Identifier {key: key})<-[:MENTIONS]-(e:Event)
WITH DISTINCT e
RETURN e.key AS key, e.occurredAt AS occurredAt, e.receivedAt AS receivedAt, e.payload AS payload
ORDER BY e.occurredAt, e.key
