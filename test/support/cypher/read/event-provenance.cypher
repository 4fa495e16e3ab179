// Every logged event with the number of identifiers it is recorded as mentioning: the fault suite
// checks that each accepted event was applied exactly once (one Event node per key, its mentions
// once each).
MATCH (e:Event)
RETURN e.key AS key, count { (e)-[:MENTIONS]->() } AS mentions
