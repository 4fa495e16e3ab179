// One privacy request by id, every property (hashes and report included; no identifier value).
MATCH (r:PrivacyRequest {id: $id})
RETURN r {.*} AS request
