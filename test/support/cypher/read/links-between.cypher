// Tests only: the links between two identifiers, either direction, with their status and
// withdrawal.
MATCH (:Identifier {key: $fromKey})-[l:LINKED]-(:Identifier {key: $toKey})
RETURN l.method AS method, l.rule AS rule, l.status AS status, l.withdrawnReason AS withdrawnReason
ORDER BY l.createdAt
