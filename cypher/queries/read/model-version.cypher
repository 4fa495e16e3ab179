// A model version as a process switching to it needs it: the model file it was recorded with (no
// personal data), and its term-frequency tables (keyed hashes of values and their shares) with the
// number it was recorded with, so a reader can tell a complete set from one being pruned.
MATCH (m:MatchModel {version: $version})
OPTIONAL MATCH (t:TermFrequencies {version: $version})
RETURN m.file AS file, m.termFrequencyTables AS expectedTables,
       collect(CASE WHEN t IS NULL THEN null
               ELSE {attribute: t.attribute, hashes: t.hashes, shares: t.shares} END) AS tables
