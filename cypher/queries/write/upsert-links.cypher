// Creates or strengthens links. One relationship per identifier pair, directed from the smaller key
// to the larger, so MERGE finds it from either side. Evidence accumulates: sources and purposes as
// sets, first/last seen as min/max, the newest $kept event keys (the full trail is the event log).
UNWIND $links AS row
MATCH (a:Identifier {key: row.fromKey})
MATCH (b:Identifier {key: row.toKey})
MERGE (a)-[l:LINKED]->(b)
  ON CREATE SET
    l.id = row.id,
    l.method = row.method,
    l.rule = row.rule,
    l.confidence = row.confidence,
    l.createdAt = toInteger($now),
    l.firstSeen = toInteger(row.firstSeen),
    l.lastSeen = toInteger(row.lastSeen),
    l.sources = [],
    l.purposes = [],
    l.events = [],
    l.evidenceCount = 0
SET
  l.status = row.status,
  l.updatedAt = toInteger($now),
  l.firstSeen = CASE WHEN toInteger(row.firstSeen) < l.firstSeen THEN toInteger(row.firstSeen) ELSE l.firstSeen END,
  l.lastSeen = CASE WHEN toInteger(row.lastSeen) > l.lastSeen THEN toInteger(row.lastSeen) ELSE l.lastSeen END,
  l.evidenceCount = l.evidenceCount + size(row.eventKeys),
  l.events = (l.events + row.eventKeys)[-$kept..],
  l.sources = reduce(acc = l.sources, s IN row.sources | CASE WHEN s IN acc THEN acc ELSE acc + s END),
  l.purposes = reduce(acc = l.purposes, p IN row.purposes | CASE WHEN p IN acc THEN acc ELSE acc + p END)
