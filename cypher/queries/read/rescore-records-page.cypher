// Records by id, one page after $after, for `idgraph model rescore`: it walks every record once, in
// id order, and a record scores its candidates of smaller id (so each pair once). With each record
// what scoring it needs (values, source, consent purposes, anchor key; values are personal data and
// never logged) and the blocking keys it is filed under, one slot per rule (null where it has none),
// so that only records whose keys the current rules change are filed again.
// What is per rule is written once and repeated per rule slot by the loader
// (src/graph/cypher-template.ts).
CYPHER replan=skip
MATCH (r:Record)
WHERE r.id > $after
WITH r
ORDER BY r.id
LIMIT toInteger($limit)
RETURN r.id AS id, r.key AS key, r.source AS source, r.values AS values, r.linking AS linking,
       r.purposes AS purposes, r.anchorKey AS anchorKey, [
         // {{#rules ,}}
         r.block{{k}}
         // {{/rules}}
       ] AS blocks
