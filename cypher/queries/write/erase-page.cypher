// An erase request's `delete_graph` step, one page of the subject's identifiers ($identifiers:
// element ids, write-locked by the caller with their persons), in one transaction:
// 1. events the caller rewrote without the subject's identifiers and attributes ($rewrite:
//    [element id, payload]) get their new payload; those that mentioned only the subject
//    ($delete: element ids) are deleted;
// 2. the records describing the identifiers (their events' attributes) are deleted with the
//    reviews about them;
// 3. the identifiers' consent states and history are deleted;
// 4. access exports of the subject ($hashes: the page's keyed hashes) are deleted;
// 5. the identifiers are deleted, and with them their MENTIONS, links, CANNOT_LINK constraints and
//    memberships.
// Returns what it deleted, counted. Persons are left to the caller: it partitions them again.
CALL () {
  UNWIND $rewrite AS row
  MATCH (ev:Event)
  WHERE elementId(ev) = row[0]
  SET ev.payload = row[1]
  RETURN count(ev) AS eventsScrubbed
}
CALL () {
  UNWIND $identifiers AS identifierId
  MATCH (i:Identifier)<-[:DESCRIBES]-(r:Record)
  WHERE elementId(i) = identifierId
  WITH DISTINCT r
  OPTIONAL MATCH (r)<-[:ABOUT]-(rv:Review)
  WITH r, collect(DISTINCT rv) AS reviews
  WITH collect(r) AS records, reduce(acc = [], rs IN collect(reviews) | acc + rs) AS reviews
  CALL (reviews) {
    UNWIND reviews AS rv
    WITH DISTINCT rv
    DETACH DELETE rv
    RETURN count(*) AS reviewsErased
  }
  CALL (records) {
    UNWIND records AS r
    DETACH DELETE r
    RETURN count(*) AS recordsErased
  }
  RETURN recordsErased, reviewsErased
}
CALL () {
  UNWIND $delete AS eventId
  MATCH (ev:Event)
  WHERE elementId(ev) = eventId
  DETACH DELETE ev
  RETURN count(*) AS eventsErased
}
CALL () {
  UNWIND $identifiers AS identifierId
  MATCH (i:Identifier)<-[:OF]-(c)
  WHERE elementId(i) = identifierId AND (c:ConsentState OR c:ConsentChange)
  DETACH DELETE c
  RETURN count(*) AS consentErased
}
CALL () {
  MATCH (x:PrivacyExport)
  WHERE any(h IN x.subjectHashes WHERE h IN $hashes)
  DETACH DELETE x
  RETURN count(*) AS exportsErased
}
CALL () {
  UNWIND $identifiers AS identifierId
  MATCH (i:Identifier)
  WHERE elementId(i) = identifierId
  DETACH DELETE i
  RETURN count(*) AS identifiersErased
}
RETURN eventsScrubbed, eventsErased, recordsErased, reviewsErased, consentErased, exportsErased, identifiersErased
