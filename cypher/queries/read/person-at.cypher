// A person as it was at $at (epoch ms), from the membership history (src/history/): its identifiers
// then (BELONGS_TO since <= $at, or WAS_IN from <= $at < to; memberships older than the history
// count from the identifier's creation) and the links active then between two of them (created by
// $at, and active now or withdrawn after $at; data older than `withdrawnAt` counts a withdrawn
// link's last update as its withdrawal; refused links never count). Also the person's creation
// time and, for an id that had been merged by $at, the survivor of the latest merge that absorbed
// it by then (any audit record naming it among `absorbedIds`), so a caller can follow it. Returns
// identifier values: personal data, for callers with persons:read.
MATCH (p:Person {id: $personId})
CALL (p) {
  CALL (p) {
    MATCH (p)<-[b:BELONGS_TO]-(i:Identifier)
    WHERE coalesce(b.since, i.createdAt) <= $at
    RETURN i, coalesce(b.since, i.createdAt) AS since
    UNION
    MATCH (p)<-[w:WAS_IN]-(i:Identifier)
    WHERE w.from <= $at < w.to
    RETURN i, w.from AS since
  }
  WITH i, since
  ORDER BY since, i.key
  RETURN collect({i: i, since: since}) AS members
}
CALL (p, members) {
  UNWIND members AS m
  WITH m.i AS a
  MATCH (a)-[l:LINKED]->(b:Identifier)
  WHERE l.status <> 'refused'
    AND l.createdAt <= $at
    AND (l.status = 'active' OR coalesce(l.withdrawnAt, l.updatedAt) > $at)
    AND (EXISTS { (b)-[r:BELONGS_TO]->(p) WHERE coalesce(r.since, b.createdAt) <= $at }
      OR EXISTS { (b)-[w:WAS_IN]->(p) WHERE w.from <= $at < w.to })
  WITH l, a, b
  ORDER BY l.createdAt, l.id
  RETURN collect({
    id: l.id, method: l.method, rule: l.rule, confidence: l.confidence,
    fromType: a.type, fromValue: a.value, toType: b.type, toValue: b.value
  }) AS links
}
RETURN p.id AS personId, p.createdAt AS createdAt, p.status AS status,
  [m IN members | {type: m.i.type, value: m.i.value, since: m.since}] AS identifiers,
  links,
  COLLECT {
    MATCH (a:AuditRecord)-[:CONCERNS]->(p)
    WHERE p.id IN a.absorbedIds AND a.at <= $at
    RETURN a.survivorId ORDER BY a.at DESC LIMIT 1
  }[0] AS mergedInto
