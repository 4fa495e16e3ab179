// Keep-apart constraints of a manual split or a revert (src/manual/): a CANNOT_LINK between two
// identifiers, the oldest of each side, which write/lock-persons reads so that no rule joins the
// two persons again until the constraint is deleted (DELETE /v1/constraints/{id}). $rows: [key,
// key, constraint id]. MERGE in either direction: a pair already constrained (a no-match decision)
// keeps its constraint, and the answer says so ([id asked, id kept]).
UNWIND $rows AS row
MATCH (a:Identifier {key: row[0]})
MATCH (b:Identifier {key: row[1]})
MERGE (a)-[c:CANNOT_LINK]-(b)
  ON CREATE SET
    c.id = row[2],
    c.kind = $kind,
    c.auditId = $auditId,
    c.actor = $actor,
    c.createdAt = toInteger($now)
RETURN row[2] AS asked, c.id AS id
