// Benchmark only (bench/lookup.ts): the active links between a bulk-loaded person's identifiers, with
// the properties the resolver gives a link, directed from the smaller key to the larger. Runs after
// bench/write/lookup-persons in the same transaction. $links: [{fromKey, toKey, id, firstSeen,
// lastSeen, sources, purposes, events}].
UNWIND $links AS row
MATCH (a:Identifier {key: row.fromKey})
MATCH (b:Identifier {key: row.toKey})
CREATE (a)-[:LINKED {
  id: row.id,
  status: 'active',
  method: 'deterministic',
  rule: 'same_event',
  confidence: 1.0,
  createdAt: toInteger(row.firstSeen),
  updatedAt: toInteger(row.lastSeen),
  firstSeen: toInteger(row.firstSeen),
  lastSeen: toInteger(row.lastSeen),
  sources: row.sources,
  purposes: row.purposes,
  events: row.events,
  evidenceCount: size(row.events)
}]->(b)
