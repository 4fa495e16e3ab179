// The access export of a request, unless it has expired (GET /v1/privacy/requests/{id}/export).
MATCH (x:PrivacyExport {requestId: $requestId})
WHERE x.expiresAt > $now
RETURN x.document AS document
