// Withdraws probabilistic links a more probable match replaces (src/resolver/better-match.ts):
// status `withdrawn` with `withdrawnAt`, kept as history, as rescoring withdraws. $rows: [from key, to key, person id
// (the person the link was in), better pair's from key, to key, better link id (used when that
// link is created by this transaction), better probability, audit id]. Each link is locked before
// it is read again: it must still be active, probabilistic and less probable than the better
// match (another batch may have added evidence since the caller read it without the link's lock);
// the caller compares the count with its rows and starts again when one no longer is. Audited as
// `link_withdrawn` with reason `better_match`, naming the withdrawn and the competing link and
// their probabilities, by id only.
UNWIND $rows AS row
MATCH (:Identifier {key: row[0]})-[l:LINKED]->(:Identifier {key: row[1]})
SET l.status = l.status
WITH l, row
WHERE l.status = 'active' AND l.method = 'probabilistic' AND l.confidence < row[6]
SET l.status = 'withdrawn', l.withdrawnAt = toInteger($now), l.updatedAt = toInteger($now)
WITH l, row
OPTIONAL MATCH (:Identifier {key: row[3]})-[better:LINKED]->(:Identifier {key: row[4]})
CREATE (audit:AuditRecord {
  id: row[7],
  kind: 'link_withdrawn',
  at: toInteger($now),
  personIds: [row[2]],
  linkId: l.id,
  method: l.method,
  rule: l.rule,
  modelVersion: l.modelVersion,
  confidence: l.confidence,
  reason: 'better_match',
  competingLinkId: coalesce(better.id, row[5]),
  competingConfidence: row[6],
  jobId: $jobId
})
WITH audit, row
MATCH (p:Person {id: row[2]})
CREATE (audit)-[:CONCERNS]->(p)
RETURN count(audit) AS withdrawn
