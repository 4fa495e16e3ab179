// The current consent states of identifiers (keys sorted), for the purposes asked, with each
// identifier's element id: what a privacy request replaces (src/consent/consent-state.ts). Run
// inside the request's write transaction after it locked the identifiers, so nothing changes them
// before its write. A key that names no identifier has no row.
UNWIND $keys AS key
MATCH (i:Identifier {key: key})
RETURN key, elementId(i) AS ref,
       [(i)<-[:OF]-(s:ConsentState) WHERE s.purpose IN $purposes |
         [s.purpose, s.granted, s.at, s.source, s.eventKey, s.requestId]] AS states
