// The consent states of a person's identifiers (src/consent/consent-view.ts), by purpose then
// identifier key, each with its history newest first (at most $historyLimit entries) and the
// number of entries in all. A merged id answers with its survivor (one MERGED_INTO hop: merges
// keep chains flat). Identifiers without a state are left out. No row: no such person.
// Values are personal data and never logged.
MATCH (asked:Person {id: $id})
OPTIONAL MATCH (asked)-[:MERGED_INTO]->(survivor:Person)
WITH asked, coalesce(survivor, asked) AS p
CALL (p) {
  MATCH (p)<-[:BELONGS_TO]-(i:Identifier)<-[:OF]-(s:ConsentState)
  WITH i, s ORDER BY s.purpose, i.key
  RETURN collect([
    s.purpose, i.type, i.value, s.granted, s.at, s.source, s.eventKey, s.requestId,
    COUNT { (i)<-[:OF]-(c:ConsentChange) WHERE c.purpose = s.purpose },
    COLLECT {
      MATCH (i)<-[:OF]-(c:ConsentChange) WHERE c.purpose = s.purpose
      WITH c ORDER BY c.at DESC, c.recordedAt DESC, c.id DESC LIMIT toInteger($historyLimit)
      RETURN [c.granted, c.at, c.source, c.eventKey, c.requestId, c.recordedAt]
    }
  ]) AS states
}
RETURN p.id AS id, asked.id AS requestedId, states
