// An erasure's page (src/privacy/erase-steps.ts): the operators' free-text notes on audit records
// concerning the persons that held the erased identifiers ($personIds, write-locked) are removed:
// a note may name the person. The records themselves stay (ids only).
UNWIND $personIds AS personId
MATCH (:Person {id: personId})<-[:CONCERNS]-(a:AuditRecord)
WHERE a.note IS NOT NULL
SET a.note = null
