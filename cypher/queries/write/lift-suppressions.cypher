// Lifts the suppression of the given keyed hashes (an unsuppress request): later events carrying
// those identifiers are applied again. Returns how many suppressions there were.
UNWIND $hashes AS hash
MATCH (s:Suppression {hash: hash})
DELETE s
RETURN count(s) AS lifted
