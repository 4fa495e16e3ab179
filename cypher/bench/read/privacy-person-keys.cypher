// Benchmark only (bench/privacy.ts): the identifier keys of a person ($personId), the raw erasure's
// first read (it hashes them for the suppression list, as the erase request does).
MATCH (:Person {id: $personId})<-[:BELONGS_TO]-(i:Identifier)
RETURN collect(i.key) AS keys
