// Privacy requests newest first, optionally of one status, after the cursor ($afterAt, $afterId:
// the last request of the previous page; null for the first page). Without the report and hashes:
// a page is a list, the report is read one request at a time.
MATCH (r:PrivacyRequest)
WHERE ($status IS NULL OR r.status = $status)
  AND ($afterAt IS NULL OR r.createdAt < $afterAt OR (r.createdAt = $afterAt AND r.id < $afterId))
RETURN r {.*, report: null, subjectHashes: null} AS request
ORDER BY r.createdAt DESC, r.id DESC
LIMIT toInteger($limit)
