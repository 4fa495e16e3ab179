// The manual decisions of a graph that `idgraph replay` carries over, each with its time (epoch
// ms) and the two identifier keys it concerns, up to $until (epoch ms):
// - `review`: a decided review (the anchors of its two records): a match joins them, a no-match is
//   the constraint below (both also decide the target's review of the same record pair);
// - `constraint`: a CANNOT_LINK (no-match decisions; `keep_apart` ones of manual splits and reverts);
// - `manual_link`: a link of method `manual` other than a review's (manual merges): joined again at
//   its creation, whatever its status now;
// - `withdrawal`: a link withdrawn by a manual operation (`manual_split`, `reverted`): withdrawn
//   again at its withdrawal time. Its status now may be another: evidence that came later and was
//   refused (a keep-apart constraint) or joined again (the constraint deleted) changed it, and the
//   replay's later batches do the same.
// Ids, keys, kinds and times only; a review's reason is free text and stays in the source.
CALL () {
  MATCH (rv:Review {status: 'decided'})
  WHERE rv.decidedAt <= $until
  MATCH (rv)-[:ABOUT]->(r:Record)
  WITH rv, r ORDER BY r.key
  WITH rv, collect(r) AS records
  WHERE size(records) = 2
  RETURN 'review' AS kind, rv.decidedAt AS at, records[0].anchorKey AS fromKey,
    records[1].anchorKey AS toKey,
    {key: rv.key, id: rv.id, decision: rv.decision, decidedBy: rv.decidedBy,
     records: [records[0].key, records[1].key],
     purposes: [p IN records[0].purposes WHERE p IN records[1].purposes]} AS details
  UNION ALL
  MATCH (a:Identifier)-[c:CANNOT_LINK]->(b:Identifier)
  WHERE c.createdAt <= $until
  RETURN 'constraint' AS kind, c.createdAt AS at, a.key AS fromKey, b.key AS toKey,
    {id: c.id, kind: c.kind, reviewId: c.reviewId, auditId: c.auditId, actor: c.actor} AS details
  UNION ALL
  MATCH (a:Identifier)-[l:LINKED {method: 'manual'}]->(b:Identifier)
  WHERE l.rule <> 'review_decision' AND l.createdAt <= $until
  RETURN 'manual_link' AS kind, l.createdAt AS at, a.key AS fromKey, b.key AS toKey,
    {id: l.id, rule: l.rule, purposes: l.purposes} AS details
  UNION ALL
  MATCH (a:Identifier)-[l:LINKED]->(b:Identifier)
  WHERE l.withdrawnReason IN ['manual_split', 'reverted'] AND l.withdrawnAt <= $until
  RETURN 'withdrawal' AS kind, l.withdrawnAt AS at, a.key AS fromKey, b.key AS toKey,
    {id: l.id, reason: l.withdrawnReason} AS details
}
RETURN kind, at, fromKey, toKey, details
ORDER BY at, kind, fromKey, toKey
