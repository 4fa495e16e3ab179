// Links an event's identifiers again to a new anchor once the links that held them at the old one
// are withdrawn or deleted (src/resolver/event-anchors.ts), all ends locked by the caller and in
// one person. $rows: [from key, to key, id, firstSeen, lastSeen, sources, purposes, eventKeys,
// confidence]. A new link is active, deterministic (`same_event`), with the events' provenance
// and `reanchoredAt`/`reanchorReason` ($reason); an active link of the pair gets the events it
// does not list yet as evidence; a withdrawn or refused one is left as it is (a decision to part
// the pair stands). Returns the ids of the links that are active for the pair now.
UNWIND $rows AS row
MATCH (a:Identifier {key: row[0]})
MATCH (b:Identifier {key: row[1]})
MERGE (a)-[l:LINKED]->(b)
  ON CREATE SET l = {
    id: row[2],
    status: 'active',
    method: 'deterministic',
    rule: $rule,
    confidence: row[8],
    createdAt: toInteger($now),
    updatedAt: toInteger($now),
    firstSeen: toInteger(row[3]),
    lastSeen: toInteger(row[4]),
    sources: row[5],
    purposes: row[6],
    events: row[7][-$kept..],
    evidenceCount: size(row[7]),
    reanchoredAt: toInteger($now),
    reanchorReason: $reason
  }
WITH l, row, l.id = row[2] AS created
WHERE l.status = 'active'
CALL (l, row, created) {
  WITH l, row, [k IN row[7] WHERE NOT k IN coalesce(l.events, [])] AS added
  WHERE NOT created AND size(added) > 0
  SET l.events = (coalesce(l.events, []) + added)[-$kept..],
      l.evidenceCount = coalesce(l.evidenceCount, 0) + size(added),
      l.firstSeen = CASE WHEN toInteger(row[3]) < l.firstSeen THEN toInteger(row[3]) ELSE l.firstSeen END,
      l.lastSeen = CASE WHEN toInteger(row[4]) > l.lastSeen THEN toInteger(row[4]) ELSE l.lastSeen END,
      l.sources = reduce(acc = l.sources, s IN row[5] | CASE WHEN s IN acc THEN acc ELSE acc + s END),
      l.purposes = reduce(acc = coalesce(l.purposes, []), p IN row[6] | CASE WHEN p IN acc THEN acc ELSE acc + p END),
      l.confidence = CASE WHEN row[8] > l.confidence THEN row[8] ELSE l.confidence END,
      l.updatedAt = toInteger($now)
}
RETURN l.id AS linkId, row[0] AS fromKey, row[1] AS toKey
