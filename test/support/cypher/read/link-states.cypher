// Tests only: every link by the keys of its ends, with its status and withdrawal.
MATCH (a:Identifier)-[l:LINKED]->(b:Identifier)
RETURN a.key AS from, b.key AS to, l.id AS id, l.status AS status, l.withdrawnAt AS withdrawnAt,
       l.withdrawnReason AS withdrawnReason, l.confidence AS confidence
ORDER BY from, to
