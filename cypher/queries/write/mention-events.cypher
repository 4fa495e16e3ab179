// Ties each newly logged event to the identifiers it carried: the full provenance trail, used to
// explain links and, for privacy requests, to find every piece of evidence about an identifier.
UNWIND $events AS row
MATCH (ev:Event {key: row.key})
UNWIND row.identifierKeys AS key
MATCH (i:Identifier {key: key})
CREATE (ev)-[:MENTIONS]->(i)
