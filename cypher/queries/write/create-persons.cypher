// New persons for identifiers that joined no existing person.
UNWIND $persons AS row
CREATE (:Person {id: row.id, status: 'active', createdAt: toInteger(row.createdAt), updatedAt: toInteger(row.createdAt)})
