// The events that saw both ends of links about to lose their hold ($linkIds: links the caller's
// transaction withdrew or narrowed; $identifiers: element ids of identifiers it is about to delete,
// with their active links; it holds their ends' locks), for
// src/resolver/event-anchors.ts: each event that links (its `linking`, neither end marked
// `linked: false` on its MENTIONS), with its provenance and the ends of those links it mentions,
// each with its person and the purposes its consent denies. The payload gives the event's
// confidence; it stays in the worker.
CALL () {
  UNWIND $linkIds AS linkId
  MATCH (a:Identifier)-[:LINKED {id: linkId}]->(b:Identifier)
  RETURN a, b
  UNION
  UNWIND $identifiers AS identifierId
  MATCH (i:Identifier)-[l:LINKED]-(:Identifier)
  WHERE elementId(i) = identifierId AND l.status = 'active'
  RETURN startNode(l) AS a, endNode(l) AS b
}
MATCH (a)<-[ma:MENTIONS]-(e:Event)-[mb:MENTIONS]->(b)
WHERE coalesce(e.linking, true) AND ma.linked IS NULL AND mb.linked IS NULL
WITH e, collect(a) + collect(b) AS ends
UNWIND ends AS i
WITH e, collect(DISTINCT i) AS ends
RETURN e.key AS key, e.source AS source, e.occurredAt AS occurredAt, coalesce(e.purposes, []) AS purposes,
       e.payload AS payload,
       [i IN ends | [
         i.key,
         [(i)-[:BELONGS_TO]->(p:Person) | p.id][0],
         [(i)<-[:OF]-(s:ConsentState) WHERE s.granted = false | s.purpose]
       ]] AS ends
ORDER BY key
