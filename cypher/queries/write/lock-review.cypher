// Write-locks a review item before its decision, so two decisions on one item serialise and the
// second sees the first. Returns its status and its two records (key order) with each record's
// anchor identifier (what a link joins) and consent.
MATCH (rv:Review {id: $reviewId})
SET rv.status = rv.status
WITH rv
OPTIONAL MATCH (rv)-[:ABOUT]->(r:Record)
WITH rv, r
ORDER BY r.key
RETURN rv.status AS status, collect([r.key, r.anchorKey, r.purposes, r.source]) AS records
