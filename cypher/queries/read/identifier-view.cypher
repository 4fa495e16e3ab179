// One identifier: its person and its links (active and refused, to identifiers of any person).
MATCH (i:Identifier {key: $key})-[:BELONGS_TO]->(p:Person)
CALL (i) {
  OPTIONAL MATCH (i)-[l:LINKED]-(o:Identifier)
  WITH l, o ORDER BY o.key
  LIMIT toInteger($limit)
  RETURN collect(CASE WHEN l IS NULL THEN null ELSE {link: l {.*}, otherType: o.type, otherValue: o.value} END) AS links
}
RETURN i.type AS type, i.value AS value, i.createdAt AS createdAt, i.lastSeen AS lastSeen, p.id AS personId,
       COLLECT { MATCH (i)<-[:MENTIONS]-(e:Event) RETURN DISTINCT e.source AS s ORDER BY s } AS sources,
       links
