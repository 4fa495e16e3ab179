// Write-locks the persons a batch may change, in id order ($personIds is sorted), and reads what the
// merge decision needs: age, status, and the types of its identifiers that have a per-person limit.
// `SET p.status = p.status` takes the lock and writes nothing: Neo4j locks a node before it
// compares the old value with the new one.
// Returns the element id too: write/apply-plan addresses the persons that grow by it.
// The types are read by expanding from the person. `i` carries no label on purpose: with
// `:Identifier` the planner may start from the type index instead, which touches every limited
// identifier in the graph for every person (only identifiers have BELONGS_TO).
//
// `replan=skip`: the plan is fixed by the unique-key seek and the expansion from it, so re-planning
// as the graph grows would only cost CPU.
CYPHER replan=skip
UNWIND $personIds AS id
MATCH (p:Person {id: id})
SET p.status = p.status
RETURN
  p.id AS id,
  elementId(p) AS elementId,
  p.createdAt AS createdAt,
  p.status AS status,
  [(p)<-[:BELONGS_TO]-(i) WHERE i.type IN $limitedTypes | i.type] AS limitedTypes
