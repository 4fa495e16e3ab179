// Tests only: the suppressed hashes.
MATCH (s:Suppression)
RETURN s.hash AS hash
ORDER BY hash
