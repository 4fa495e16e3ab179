// Stores an access request's export: one document (JSON) per request, replaced if the step runs
// again, with the subject's keyed hashes (an erasure of the subject deletes it) and its expiry.
MERGE (x:PrivacyExport {requestId: $requestId})
SET x.subjectHashes = $subjectHashes,
    x.document = $document,
    x.createdAt = toInteger($now),
    x.expiresAt = toInteger($expiresAt)
