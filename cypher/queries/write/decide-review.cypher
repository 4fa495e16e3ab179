// Records a review decision (the review is locked by write/lock-review in this transaction):
// - the review's status, decision, reason and deciding key;
// - for `no_match`, a CANNOT_LINK constraint between the records' anchor identifiers: the resolver
//   refuses any join that would put the two into one person, whatever the rule (see
//   write/lock-persons); MERGE, so deciding a pair twice leaves one constraint;
// - an audit record naming review, decision, key, link and persons by id only: the reason stays on
//   the review (free text may hold personal data), so the trail survives erasure without it.
MATCH (rv:Review {id: $reviewId})
SET
  rv.status = 'decided',
  rv.decision = $decision,
  rv.reason = $reason,
  rv.decidedBy = $actor,
  rv.decidedAt = toInteger($now),
  rv.updatedAt = toInteger($now)
WITH rv
CALL (rv) {
  MATCH (a:Identifier {key: $fromKey})
  MATCH (b:Identifier {key: $toKey})
  WHERE $decision = 'no_match'
  MERGE (a)-[c:CANNOT_LINK]->(b)
    ON CREATE SET c.id = $constraintId, c.reviewId = rv.id, c.createdAt = toInteger($now)
}
OPTIONAL MATCH (:Identifier {key: $fromKey})-[l:LINKED]-(:Identifier {key: $toKey})
CREATE (audit:AuditRecord {
  id: $auditId,
  kind: 'review_decision',
  at: toInteger($now),
  reviewId: rv.id,
  decision: $decision,
  actor: $actor,
  personIds: $personIds,
  linkId: l.id,
  method: 'manual',
  rule: 'review_decision',
  modelVersion: rv.modelVersion,
  confidence: rv.probability
})
WITH audit
MATCH (p:Person)
WHERE p.id IN $personIds
CREATE (audit)-[:CONCERNS]->(p)
