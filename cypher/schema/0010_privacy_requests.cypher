// Privacy requests (src/privacy/): one node per request, found by its id and by the client's
// requestId (a repeat MERGEs on it, so two racing repeats make one request), listed by status
// newest first. The suppression list: one node per keyed hash of an erased identifier, found by
// hash at ingest and by unsuppress requests.
// Append-only: never edit an applied migration, add 0011_... instead.
CREATE CONSTRAINT privacy_request_id IF NOT EXISTS FOR (r:PrivacyRequest) REQUIRE r.id IS UNIQUE;
CREATE CONSTRAINT privacy_request_client_id IF NOT EXISTS FOR (r:PrivacyRequest) REQUIRE r.clientRequestId IS UNIQUE;
CREATE INDEX privacy_request_status IF NOT EXISTS FOR (r:PrivacyRequest) ON (r.status, r.createdAt);
CREATE INDEX privacy_request_created IF NOT EXISTS FOR (r:PrivacyRequest) ON (r.createdAt);
CREATE CONSTRAINT suppression_hash IF NOT EXISTS FOR (s:Suppression) REQUIRE s.hash IS UNIQUE;
