// Review items of one status, oldest first, with their two records: values (personal data, shown
// to data teams holding audit:read so they can decide), source, anchor identifier and its person,
// and the template of the model that scored the pair (its explanation refers to it).
MATCH (rv:Review {status: $status})
WITH rv
ORDER BY rv.createdAt, rv.id
LIMIT toInteger($limit)
CALL (rv) {
  MATCH (rv)-[:ABOUT]->(r:Record)
  OPTIONAL MATCH (i:Identifier {key: r.anchorKey})
  OPTIONAL MATCH (i)-[:BELONGS_TO]->(p:Person)
  WITH r, i, p
  ORDER BY r.key
  RETURN collect({id: r.id, source: r.source, values: r.values, eventKey: r.key, anchorType: i.type, anchorValue: i.value, personId: p.id}) AS records
}
OPTIONAL MATCH (model:MatchModel {version: rv.modelVersion})
RETURN rv {.*} AS review, records, model.template AS template
ORDER BY rv.createdAt, rv.id
