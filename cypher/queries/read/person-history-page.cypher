// One page of a person's history (src/history/): every change that shaped it, oldest first, keyed
// by (at, rank, key) so a page resumes exactly after the last item of the one before ($after:
// {at, rank, key}, or null for the first page). A merged id reads its survivor's history.
//
// The person's lineage is the person and the persons merged into it (merges keep MERGED_INTO one
// hop deep): their history is how it came to be. Items, ranked so that a transaction's own order
// holds within one instant (a person is created, then links join it, then the merge they caused):
// - rank 0, `created`: each lineage person's creation (key: person id);
// - rank 1, `identifier_joined`: each link, active or withdrawn (refused links never joined
//   anything), between two identifiers that belong or belonged to the lineage (BELONGS_TO or
//   WAS_IN), found once from its `from` end (key: link id); a lineage person is the person or has
//   MERGED_INTO it, a test on the few memberships of the link's other end;
// - rank 2, every audit record concerning a lineage person, once (key: audit id).
// Candidates are ranked as light rows first and only the page's items are read whole, so a long
// history costs one pass over its keys, not over its items' contents. Identifier values are not
// read: link items carry the identifier types of their ends.
MATCH (asked:Person {id: $personId})
OPTIONAL MATCH (asked)-[:MERGED_INTO]->(survivor:Person)
WITH asked, coalesce(survivor, asked) AS p
WITH asked, p, [p] + COLLECT { MATCH (m:Person)-[:MERGED_INTO]->(p) RETURN m } AS lineage
CALL (p, lineage) {
  CALL (p, lineage) {
    UNWIND lineage AS q
    RETURN q.createdAt AS at, 0 AS rank, q.id AS key, q AS person, null AS link, null AS audit
    UNION
    UNWIND lineage AS q
    MATCH (q)<-[:BELONGS_TO|WAS_IN]-(i:Identifier)
    WITH DISTINCT p, i
    MATCH (i)-[l:LINKED]->(j:Identifier)
    WHERE l.status <> 'refused'
      AND EXISTS { (j)-[:BELONGS_TO|WAS_IN]->(m:Person) WHERE m = p OR (m)-[:MERGED_INTO]->(p) }
    RETURN l.createdAt AS at, 1 AS rank, l.id AS key, null AS person, l AS link, null AS audit
    UNION
    UNWIND lineage AS q
    MATCH (a:AuditRecord)-[:CONCERNS]->(q)
    RETURN a.at AS at, 2 AS rank, a.id AS key, null AS person, null AS link, a AS audit
  }
  WITH at, rank, key, person, link, audit
  WHERE $after IS NULL
    OR at > $after.at
    OR (at = $after.at AND (rank > $after.rank OR (rank = $after.rank AND key > $after.key)))
  ORDER BY at, rank, key
  LIMIT toInteger($limit)
  RETURN collect({
    at: at,
    rank: rank,
    key: key,
    created: person {
      .id, .splitFrom,
      identifierTypes: COLLECT {
        MATCH (person)<-[r:BELONGS_TO|WAS_IN]-(i:Identifier)
        WHERE coalesce(r.since, r.from, i.createdAt) = person.createdAt
        WITH DISTINCT i
        RETURN i.type
      }
    },
    link: link {
      .id, .rule, .method, .confidence, .events, .status, .withdrawnAt,
      fromType: startNode(link).type,
      toType: endNode(link).type
    },
    audit: audit {.*}
  }) AS items
}
RETURN p.id AS personId, asked.id AS requestedId, items
