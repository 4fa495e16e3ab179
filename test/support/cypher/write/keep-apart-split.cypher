// Test only: what a keep-apart manual split leaves between two persons, in the shapes of the issue
// 24 design (src/manual/ writes them): a `manual_split` audit record concerning both persons, and a
// CANNOT_LINK {kind: 'keep_apart', auditId} between an identifier of each. Lets the explain tests
// build a split-off pair without the manual operations.
MATCH (a:Identifier {key: $fromKey})-[:BELONGS_TO]->(pa:Person)
MATCH (b:Identifier {key: $toKey})-[:BELONGS_TO]->(pb:Person)
CREATE (audit:AuditRecord {
  id: $auditId,
  kind: 'manual_split',
  at: toInteger($now),
  personIds: [pa.id, pb.id],
  actor: 'test-admin',
  reason: 'manual_split'
})
CREATE (audit)-[:CONCERNS]->(pa)
CREATE (audit)-[:CONCERNS]->(pb)
CREATE (a)-[:CANNOT_LINK {
  id: $constraintId,
  kind: 'keep_apart',
  auditId: $auditId,
  createdAt: toInteger($now),
  actor: 'test-admin'
}]->(b)
