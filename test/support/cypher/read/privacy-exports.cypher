// Tests only: the access exports stored for a request (none once the sweep deleted it).
MATCH (x:PrivacyExport {requestId: $requestId})
RETURN x.createdAt AS createdAt, x.expiresAt AS expiresAt, x.subjectHashes AS subjectHashes
