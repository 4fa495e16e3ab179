// `idgraph replay`: a CANNOT_LINK constraint of the source graph (a no-match decision, or a
// keep-apart of a manual split or revert) between the same two identifiers of the target, with the
// source's id, kind, review or audit id, actor and time, so the resolver refuses the same joins.
// Nothing when either identifier is not in the target (suppressed, or not received by then).
// MERGE: one constraint per pair, as write/decide-review keeps it.
MATCH (a:Identifier {key: $fromKey})
MATCH (b:Identifier {key: $toKey})
MERGE (a)-[c:CANNOT_LINK]->(b)
  ON CREATE SET
    c.id = $id,
    c.kind = $kind,
    c.reviewId = $reviewId,
    c.auditId = $auditId,
    c.actor = $actor,
    c.createdAt = toInteger($at)
RETURN c.id AS id
