// u refreshes of the built-in model (src/matching/refresh/): each refresh records a model version
// estimated from the graph's records (a MatchModel node with the whole model, no personal data) and
// points the one ActiveModel node at it; every process polls that node, so its name is unique and
// indexed. A version's term-frequency tables hold keyed hashes of common values and their shares,
// read by version when a process switches to it.
// Append-only: never edit an applied migration, add 0008_... instead.
CREATE CONSTRAINT active_model_name IF NOT EXISTS FOR (a:ActiveModel) REQUIRE a.name IS UNIQUE;
CREATE INDEX term_frequencies_version IF NOT EXISTS FOR (t:TermFrequencies) ON (t.version);
