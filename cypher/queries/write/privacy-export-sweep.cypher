// Deletes up to $limit access exports that expired by $now; the caller repeats while it deletes
// $limit. Exports are few (one per access request within PRIVACY_EXPORT_TTL_HOURS): a label scan.
MATCH (x:PrivacyExport)
WHERE x.expiresAt <= $now
WITH x LIMIT toInteger($limit)
DELETE x
RETURN count(*) AS deleted
