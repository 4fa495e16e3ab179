// A revoke request's withdrawal (src/privacy/revoke-steps.ts), for a page of the subject's
// identifiers ($keys, sorted) that the transaction has write-locked, with their persons: every link
// incident to one of them loses the revoked $purposes, and with $withdraw (identity_linking
// revoked) every such active link is withdrawn (status `withdrawn`, kept as history, as rescoring
// withdraws; a newer event granting identity_linking makes it active again). A link between two
// subject identifiers is written once. A link that lost nothing and was not withdrawn is left
// untouched, so the page run again changes nothing. Returns what changed per link: its id, the
// purposes it lost, whether it was withdrawn, and the person of its `from` end (both ends of an
// active link are in one person), by id only.
UNWIND $keys AS key
MATCH (:Identifier {key: key})-[l:LINKED]-(:Identifier)
WITH DISTINCT l
WITH l,
     [p IN coalesce(l.purposes, []) WHERE p IN $purposes] AS removed,
     ($withdraw AND l.status = 'active') AS withdrawn
WHERE size(removed) > 0 OR withdrawn
SET l.purposes = [p IN coalesce(l.purposes, []) WHERE NOT p IN $purposes],
    l.status = CASE WHEN withdrawn THEN 'withdrawn' ELSE l.status END,
    l.withdrawnAt = CASE WHEN withdrawn THEN toInteger($now) ELSE l.withdrawnAt END,
    l.updatedAt = toInteger($now)
// The link's `from` end by startNode: matching the bound relationship again could plan as a scan.
WITH l, removed, withdrawn, startNode(l) AS a
OPTIONAL MATCH (a)-[:BELONGS_TO]->(p:Person)
RETURN l.id AS linkId, removed, withdrawn, p.id AS personId
ORDER BY linkId
