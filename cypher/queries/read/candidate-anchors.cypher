// Matched candidate records outside the batch (ids sorted): their consent purposes and their anchor
// identifier's element id, current person and whether its identity_linking consent is denied (a
// match with such an anchor is not linked), read without a lock inside the resolver's write
// transaction. write/lock-persons reads the persons and the denial again under lock and the batch
// starts over if one changed meanwhile. Purposes are read here, not with the candidates: consent
// may change, so only the values of a record are cached by the workers.
UNWIND $ids AS id
MATCH (r:Record {id: id})
MATCH (i:Identifier {key: r.anchorKey})
OPTIONAL MATCH (i)-[:BELONGS_TO]->(p)
RETURN id, r.purposes AS purposes, i.key AS key, elementId(i) AS elementId, p.id AS personId,
       EXISTS { (i)<-[:OF]-(:ConsentState {purpose: 'identity_linking', granted: false}) } AS linkingDenied
