// The resolver's last statement: writes a resolution plan (src/resolver/resolution-plan.ts), in
// this order, in one round trip:
//
// 1. new persons, with the identifiers that had no person ($created); identifiers that had no person
//    joining an existing, locked person ($grown);
// Membership history: a BELONGS_TO holds `since`, and an identifier leaving a person keeps the
// old membership as WAS_IN {from, to}, `to` being this transaction's $now (its audit records' `at`):
// the person as it was at any time, and the identifiers an absorbed person brought to its merge,
// are read from them (history, revert).
//
// 2. absorbed persons into their survivors ($absorbed): identifiers move over, the absorbed person
//    stays as a `merged` tombstone pointing at the survivor so its id keeps resolving, and persons
//    merged into it earlier are re-pointed, so a merged id is always one hop from the active person;
// 3. audit records of refused merges ($refusals). Before the links: a link already refused earlier
//    gets its new evidence but no second record, so a device seen a thousand times does not flood
//    the trail. A refused probabilistic match names its competing link (the most probable
//    probabilistic link at either identifier: the match that won) and that link's probability;
// 4. links, one relationship per identifier pair, directed from the smaller key to the larger.
//    $newLinks have an identifier created in this transaction, so no link can exist yet: created
//    outright. $links join existing identifiers and may exist: MERGEd. Evidence accumulates: sources
//    and purposes as sets, first/last seen as min/max, the newest $kept event keys (the full trail is
//    the event log), confidence as the highest any evidence gave. Link rows: [from, to, id, status,
//    firstSeen, lastSeen, sources, purposes, eventKeys, confidence, method, rule, modelVersion,
//    explanation, records], `from` and `to` being element ids. A pair has one link whatever the
//    evidence: its method is the strongest seen (manual > deterministic > probabilistic), and a
//    probabilistic link keeps the model version and explanation of its best-scored record pair;
// 5. audit records of merges ($merges). After the links: a record names the link that caused it;
// 6. review items ($reviews): one per record pair, created once (a decided pair is not reopened).
// First, when the plan holds probabilistic links or reviews, the template of the model that scored
// them ($model: {version, checksum, template}, else null), recorded once per version: their
// explanations refer to it (write/record-model).
//
// Identifiers and grown persons are addressed by element id (all locked by this transaction);
// audit records hold ids, rule and reason only, never identifier values.
//
// `replan=skip`: every part is fixed by element-id and unique-key seeks and expansions from bound
// nodes, so re-planning as the graph grows would only cost CPU.
// $rows: lists in one map parameter (write/claim-batch says why).
// Written once, used by both link parts: a link row's fields, with its two ends; a new link's
// properties.
// {{#define link-row}}
WITH row[0] AS fromId, row[1] AS toId, row[2] AS id, row[3] AS status, toInteger(row[4]) AS firstSeen, toInteger(row[5]) AS lastSeen,
     row[6] AS sources, row[7] AS purposes, row[8] AS eventKeys, row[9] AS confidence,
     row[10] AS method, row[11] AS rule, row[12] AS modelVersion, row[13] AS explanation, row[14] AS records
MATCH (a:Identifier) WHERE elementId(a) = fromId
MATCH (b:Identifier) WHERE elementId(b) = toId
// {{/define}}
// {{#define new-link}}
id: id,
status: status,
method: method,
rule: rule,
modelVersion: modelVersion,
explanation: explanation,
records: records,
confidence: confidence,
createdAt: toInteger($now),
updatedAt: toInteger($now),
firstSeen: firstSeen,
lastSeen: lastSeen,
sources: sources,
purposes: purposes,
events: eventKeys[-$kept..],
evidenceCount: size(eventKeys)
// {{/define}}
CYPHER replan=skip
CALL () {
  WITH $model AS model
  WHERE model IS NOT NULL
  MERGE (m:MatchModel {version: model.version})
    ON CREATE SET m.checksum = model.checksum, m.template = model.template, m.createdAt = toInteger($now)
}
CALL () {
  UNWIND $rows.created AS row
  CREATE (p:Person {id: row.id, status: 'active', createdAt: toInteger(row.createdAt), updatedAt: toInteger(row.createdAt)})
  WITH p, row
  UNWIND row.identifiers AS identifierId
  MATCH (i:Identifier) WHERE elementId(i) = identifierId
  CREATE (i)-[:BELONGS_TO {since: p.createdAt}]->(p)
}
CALL () {
  UNWIND $rows.grown AS row
  MATCH (p:Person) WHERE elementId(p) = row.person
  SET p.updatedAt = toInteger($now)
  WITH p, row
  UNWIND row.identifiers AS identifierId
  MATCH (i:Identifier) WHERE elementId(i) = identifierId
  CREATE (i)-[:BELONGS_TO {since: toInteger($now)}]->(p)
}
CALL () {
  UNWIND $rows.absorbed AS row
  MATCH (old:Person {id: row.absorbedId})
  MATCH (survivor:Person {id: row.survivorId})
  CALL (old, survivor) {
    MATCH (old)<-[r:BELONGS_TO]-(i:Identifier)
    CREATE (i)-[:WAS_IN {from: coalesce(r.since, i.createdAt), to: toInteger($now)}]->(old)
    DELETE r
    CREATE (i)-[:BELONGS_TO {since: toInteger($now)}]->(survivor)
  }
  CALL (old, survivor) {
    MATCH (earlier:Person)-[r:MERGED_INTO]->(old)
    DELETE r
    CREATE (earlier)-[:MERGED_INTO]->(survivor)
    SET earlier.mergedInto = survivor.id
  }
  CREATE (old)-[:MERGED_INTO]->(survivor)
  SET
    old.status = 'merged',
    old.mergedInto = survivor.id,
    old.updatedAt = toInteger($now),
    survivor.updatedAt = toInteger($now)
}
CALL () {
  UNWIND $rows.refusals AS row
  OPTIONAL MATCH (:Identifier {key: row.fromKey})-[l:LINKED]->(:Identifier {key: row.toKey})
  WITH row, l
  WHERE l IS NULL OR l.status <> 'refused'
  OPTIONAL MATCH (:Identifier {key: row.competingFrom})-[c:LINKED]->(:Identifier {key: row.competingTo})
  CREATE (a:AuditRecord {
    id: row.id,
    kind: 'merge_refused',
    at: toInteger($now),
    personIds: row.personIds,
    eventKey: row.eventKey,
    linkId: coalesce(l.id, row.linkId),
    method: row.method,
    rule: row.rule,
    confidence: row.confidence,
    reason: row.reason,
    identifierType: row.identifierType,
    limit: row.limit,
    wouldHave: row.wouldHave,
    competingLinkId: coalesce(c.id, row.competingLinkId),
    competingConfidence: row.competingConfidence,
    jobId: $jobId
  })
  WITH a, row
  MATCH (p:Person)
  WHERE p.id IN row.personIds
  CREATE (a)-[:CONCERNS]->(p)
}
CALL () {
  UNWIND $rows.newLinks AS row
  // {{>link-row}}
  CREATE (a)-[:LINKED {
    // {{>new-link}}
  }]->(b)
}
CALL () {
  UNWIND $rows.links AS row
  // {{>link-row}}
  MERGE (a)-[l:LINKED]->(b)
    ON CREATE SET l = {
      // {{>new-link}}
    }
    ON MATCH SET
      l.status = status,
      // A probabilistic link keeps the explanation of its best score; the strongest method wins.
      // Both read the link's method and confidence before this SET replaces them.
      l += CASE WHEN method = 'probabilistic' AND l.method = 'probabilistic' AND confidence >= l.confidence
        THEN {modelVersion: modelVersion, explanation: explanation, records: records} ELSE {} END,
      l += CASE WHEN $methodRank[method] > $methodRank[l.method] THEN {rule: rule, method: method} ELSE {} END,
      l.confidence = CASE WHEN confidence > l.confidence THEN confidence ELSE l.confidence END,
      l.updatedAt = toInteger($now),
      l.firstSeen = CASE WHEN firstSeen < l.firstSeen THEN firstSeen ELSE l.firstSeen END,
      l.lastSeen = CASE WHEN lastSeen > l.lastSeen THEN lastSeen ELSE l.lastSeen END,
      l.evidenceCount = l.evidenceCount + size(eventKeys),
      l.events = (l.events + eventKeys)[-$kept..],
      l.sources = reduce(acc = l.sources, s IN sources | CASE WHEN s IN acc THEN acc ELSE acc + s END),
      l.purposes = reduce(acc = l.purposes, p IN purposes | CASE WHEN p IN acc THEN acc ELSE acc + p END)
}
CALL () {
  UNWIND $rows.merges AS row
  MATCH (:Identifier {key: row.fromKey})-[l:LINKED]->(:Identifier {key: row.toKey})
  CREATE (a:AuditRecord {
    id: row.id,
    kind: 'merge',
    at: toInteger($now),
    survivorId: row.survivorId,
    absorbedIds: [row.absorbedId],
    personIds: [row.survivorId, row.absorbedId],
    eventKey: row.eventKey,
    linkId: l.id,
    method: l.method,
    rule: row.rule,
    confidence: row.confidence,
    jobId: $jobId
  })
  WITH a, row
  MATCH (p:Person)
  WHERE p.id IN [row.survivorId, row.absorbedId]
  CREATE (a)-[:CONCERNS]->(p)
}
CALL () {
  UNWIND $rows.reviews AS row
  MERGE (rv:Review {key: row[0]})
    ON CREATE SET
      rv.id = row[1],
      rv.status = 'pending',
      rv.createdAt = toInteger($now),
      rv.updatedAt = toInteger($now),
      rv.probability = row[4],
      rv.matchWeight = row[5],
      rv.modelVersion = row[6],
      rv.explanation = row[7],
      rv.eventKey = row[8],
      rv.records = [row[2], row[3]]
  WITH rv, row
  // Only a review created just now lacks its records.
  WHERE NOT (rv)-[:ABOUT]->()
  MATCH (left:Record {key: row[2]})
  MATCH (right:Record {key: row[3]})
  CREATE (rv)-[:ABOUT]->(left)
  CREATE (rv)-[:ABOUT]->(right)
}
