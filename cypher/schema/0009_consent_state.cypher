// Consent state per identifier and purpose: (:ConsentState)-[:OF]->(:Identifier), the current
// assertion, and (:ConsentChange)-[:OF]->(:Identifier), its history (src/consent/). Both are found
// from their identifier, by expanding OF from it (ingestion reads the states of the identifiers it
// locks, the person consent view those of a person's identifiers): no index serves that better.
// A history entry has an opaque id, unique like every other id the API hands out.
// Append-only: never edit an applied migration, add 0010_... instead.
CREATE CONSTRAINT consent_change_id IF NOT EXISTS FOR (c:ConsentChange) REQUIRE c.id IS UNIQUE;
