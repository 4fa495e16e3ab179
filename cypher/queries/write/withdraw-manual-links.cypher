// Withdraws links for a manual split or a revert (src/manual/), under their persons' locks: status
// `withdrawn`, with `withdrawnAt` and `withdrawnReason` ($reason: `manual_split` or `reverted`),
// kept as history. $rows: [from key, to key] (links run from the smaller key to the larger). Only
// links still active count: the caller compares the count with its rows and starts again when one
// changed meanwhile.
UNWIND $rows AS row
MATCH (:Identifier {key: row[0]})-[l:LINKED]->(:Identifier {key: row[1]})
WHERE l.status = 'active'
SET
  l.status = 'withdrawn',
  l.withdrawnAt = toInteger($now),
  l.withdrawnReason = $reason,
  l.updatedAt = toInteger($now)
RETURN count(l) AS withdrawn
