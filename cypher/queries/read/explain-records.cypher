// The source records of two persons for POST /v1/explain, newest first, at most $maxRecords each:
// the records that DESCRIBE any of the person's identifiers, scored pair by pair with the active
// matcher to find the best record pair between the two. Records whose event refused
// identity_linking are left out: the resolver never scores them. Values are personal data: the
// caller never logs them.
UNWIND range(0, size($personIds) - 1) AS n
MATCH (p:Person {id: $personIds[n]})
CALL (p) {
  MATCH (p)<-[:BELONGS_TO]-(:Identifier)<-[:DESCRIBES]-(r:Record)
  WHERE coalesce(r.linking, true)
  WITH DISTINCT r
  ORDER BY r.createdAt DESC, r.id
  LIMIT toInteger($maxRecords)
  RETURN collect([r.id, r.source, r.values]) AS records
}
RETURN n, records
ORDER BY n
