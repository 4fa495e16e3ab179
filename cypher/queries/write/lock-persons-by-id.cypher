// Write-locks persons by id, in id order ($personIds is sorted), after the identifiers that led to
// them: the resolver's lock order. `SET` takes the lock and changes nothing. Returns those found.
UNWIND $personIds AS personId
MATCH (p:Person {id: personId})
SET p.status = p.status
RETURN p.id AS personId
