// One link by id, with its ends and their person, and the template of the model that scored it:
// what `GET /v1/links/{id}/explain` shows.
MATCH (a:Identifier)-[l:LINKED {id: $linkId}]->(b:Identifier)
OPTIONAL MATCH (model:MatchModel {version: l.modelVersion})
OPTIONAL MATCH (a)-[:BELONGS_TO]->(pa:Person)
OPTIONAL MATCH (b)-[:BELONGS_TO]->(pb:Person)
OPTIONAL MATCH (rec:Record)
WHERE rec.key IN coalesce(l.records, [])
WITH l, a, b, pa, pb, model, rec
ORDER BY rec.key
RETURN l {.*} AS link, a.type AS fromType, a.value AS fromValue, b.type AS toType, b.value AS toValue,
       pa.id AS fromPersonId, pb.id AS toPersonId, model.template AS template,
       collect(rec.id) AS recordIds
