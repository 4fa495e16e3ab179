// The events that mention a page of an erased subject's identifiers (element ids, locked by the
// caller), each once, with its payload: the caller decides, from the payload, whether the event
// mentions anyone else (then it is rewritten without the subject) or only the subject (deleted).
UNWIND $identifiers AS identifierId
MATCH (i:Identifier)<-[:MENTIONS]-(ev:Event)
WHERE elementId(i) = identifierId
WITH DISTINCT ev
RETURN elementId(ev) AS id, ev.payload AS payload
