// Benchmark only (bench/privacy.ts): the raw erasure an erase request is compared with, in one
// transaction: a Suppression per keyed hash ($hashes), then the person ($personId) with its
// identifiers, their consent states and history, the events that mention them, the records that
// describe them (with reviews about them), and with these every MENTIONS, LINKED, BELONGS_TO and OF
// relationship. No locks, pages, audit, feed entries, rewritten events or Redis: the nodes and
// relationships the request deletes, deleted by whoever knows they are all the person's.
UNWIND $hashes AS hash
MERGE (s:Suppression {hash: hash})
  ON CREATE SET s.at = toInteger($now)
WITH count(s) AS suppressions
MATCH (p:Person {id: $personId})<-[:BELONGS_TO]-(i:Identifier)
WITH suppressions, p, collect(i) AS identifiers
CALL (identifiers) {
  UNWIND identifiers AS i
  MATCH (i)<-[:MENTIONS]-(ev:Event)
  WITH DISTINCT ev
  DETACH DELETE ev
  RETURN count(*) AS events
}
CALL (identifiers) {
  UNWIND identifiers AS i
  MATCH (i)<-[:DESCRIBES]-(r:Record)
  WITH DISTINCT r
  OPTIONAL MATCH (r)<-[:ABOUT]-(rv:Review)
  DETACH DELETE rv
  DETACH DELETE r
  RETURN count(*) AS records
}
CALL (identifiers) {
  UNWIND identifiers AS i
  MATCH (i)<-[:OF]-(c)
  DETACH DELETE c
  RETURN count(*) AS consent
}
CALL (identifiers) {
  UNWIND identifiers AS i
  DETACH DELETE i
  RETURN count(*) AS erased
}
DETACH DELETE p
RETURN suppressions, events, records, consent, erased AS identifiers
