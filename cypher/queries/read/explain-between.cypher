// Why two persons are apart (POST /v1/explain): what lies between the identifiers of $personA and
// those of $personB, each part a subquery that expands from the persons' identifiers:
// - the links between them: none is active (persons are the connected components of active
//   links), so each is refused or withdrawn; with each end's type and value and whether its
//   identity_linking consent is denied;
// - the constraints between them: CANNOT_LINK without `kind` from a review's no-match decision
//   (reviewId), `kind: 'keep_apart'` from a manual split (auditId);
// - pending reviews about a record of each (records DESCRIBE the identifiers of their event);
// - audit records concerning the persons or the ids merged into them ($aliasesA, $aliasesB hold
//   both): refusals, withdrawals and manual splits that name a link between them, or name a person
//   of each side (audit records name persons as they were then; a merged id stays one hop from its
//   survivor, hence the aliases).
// Values are personal data: the caller never logs them.
MATCH (pa:Person {id: $personA})
MATCH (pb:Person {id: $personB})
CALL (pa, pb) {
  MATCH (pa)<-[:BELONGS_TO]-(i:Identifier)-[l:LINKED]-(j:Identifier)-[:BELONGS_TO]->(pb)
  RETURN collect({
    id: l.id,
    status: l.status,
    method: l.method,
    rule: l.rule,
    confidence: l.confidence,
    aType: i.type,
    aValue: i.value,
    bType: j.type,
    bValue: j.value,
    aDenied: EXISTS { (i)<-[:OF]-(:ConsentState {purpose: 'identity_linking', granted: false}) },
    bDenied: EXISTS { (j)<-[:OF]-(:ConsentState {purpose: 'identity_linking', granted: false}) }
  }) AS links
}
CALL (pa, pb) {
  MATCH (pa)<-[:BELONGS_TO]-(:Identifier)-[c:CANNOT_LINK]-(:Identifier)-[:BELONGS_TO]->(pb)
  RETURN collect({
    id: c.id,
    kind: coalesce(c.kind, 'no_match'),
    reviewId: c.reviewId,
    auditId: c.auditId
  }) AS constraints
}
CALL (pa, pb) {
  MATCH (pa)<-[:BELONGS_TO]-(:Identifier)<-[:DESCRIBES]-(ra:Record)<-[:ABOUT]-(rv:Review {status: 'pending'})-[:ABOUT]->(rb:Record)
  WHERE ra <> rb AND EXISTS { (rb)-[:DESCRIBES]->(:Identifier)-[:BELONGS_TO]->(pb) }
  WITH DISTINCT rv
  RETURN collect({
    id: rv.id,
    probability: rv.probability,
    modelVersion: rv.modelVersion,
    createdAt: rv.createdAt
  }) AS reviews
}
WITH links, constraints, reviews, [l IN links | l.id] AS linkIds
CALL (linkIds) {
  MATCH (x:Person)<-[:CONCERNS]-(au:AuditRecord)
  WHERE x.id IN $aliasesA + $aliasesB
    AND au.kind IN ['merge_refused', 'link_withdrawn', 'manual_split']
    AND (au.linkId IN linkIds OR (
      any(id IN au.personIds WHERE id IN $aliasesA) AND any(id IN au.personIds WHERE id IN $aliasesB)
    ))
  WITH DISTINCT au
  ORDER BY au.at, au.id
  RETURN collect(au {
    .id, .kind, .at, .linkId, .reason, .identifierType, .limit, .wouldHave, .method, .rule,
    .confidence, .requestId
  }) AS audits
}
RETURN links, constraints, reviews, audits
