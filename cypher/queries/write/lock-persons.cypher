// Write-locks the persons a batch may change, in id order ($personIds is sorted), and reads what the
// merge decision needs: age, status, the types of its identifiers that have a per-person limit, and
// the no-match constraints (CANNOT_LINK, from review decisions) on its identifiers.
// `SET p.status = p.status` takes the lock and writes nothing: Neo4j locks a node before it
// compares the old value with the new one.
// Returns the element id too: write/apply-plan addresses the persons that grow by it.
// The types are read by expanding from the person. `i` carries no label on purpose: with
// `:Identifier` the planner may start from the type index instead, which touches every limited
// identifier in the graph for every person (only identifiers have BELONGS_TO).
//
// $checkIdentifiers: identifiers whose person was read before these locks were taken (the anchors
// of match candidates). Their person, and whether their identity_linking consent is denied, are
// read again under the locks; the caller retries the batch when one changed in between. A
// revocation denies under the identifiers' locks and withdraws links under them and then their
// persons' locks: one that committed before these locks is seen here, and one that commits later
// takes these persons' locks after this transaction, and withdraws what it linked.
//
// `replan=skip`: the plan is fixed by the unique-key seek and the expansion from it, so re-planning
// as the graph grows would only cost CPU.
// $rows: lists in one map parameter (write/claim-batch says why).
CYPHER replan=skip
CALL () {
  UNWIND $rows.personIds AS id
  MATCH (p:Person {id: id})
  SET p.status = p.status
  RETURN collect([
    p.id,
    elementId(p),
    p.createdAt,
    p.status,
    [(p)<-[:BELONGS_TO]-(i) WHERE i.type IN $rows.limitedTypes | i.type],
    [(p)<-[:BELONGS_TO]-(i)-[:CANNOT_LINK]-(j) | [i.key, j.key]]
  ]) AS persons
}
CALL () {
  UNWIND $rows.checkIdentifiers AS key
  MATCH (i:Identifier {key: key})
  OPTIONAL MATCH (i)-[:BELONGS_TO]->(p)
  RETURN collect([
    key,
    p.id,
    EXISTS { (i)<-[:OF]-(:ConsentState {purpose: 'identity_linking', granted: false}) }
  ]) AS checks
}
RETURN persons, checks
