// Tests only: suppresses the given keyed hashes, as an erase request's suppress step will.
UNWIND $hashes AS hash
MERGE (s:Suppression {hash: hash})
  ON CREATE SET s.at = timestamp(), s.requestId = $requestId
RETURN count(s) AS suppressed
