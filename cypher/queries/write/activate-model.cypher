// Records a model version estimated from the graph's records and makes it the active one of
// $name, in one transaction: its MatchModel node (template for explanations, as write/record-model
// records it, and the whole model file: m, u, lambda, comparisons, blocking rules, provenance),
// its term-frequency tables (keyed hashes of common values and their shares; no value), and the
// ActiveModel pointer every process polls.
//
// The pointer is locked first (a property written) and then compared with $previous, the version
// the refresh read when it decided: a refresh that finds another version active since does nothing
// and returns no row. Term-frequency tables of versions neither active nor just replaced are
// deleted (a process switching reads the active one's; one that read the pointer just before
// finds the previous one's still there); the MatchModel nodes stay, for the explanations of links
// that refer to them.
MERGE (a:ActiveModel {name: $name})
SET a.lockedAt = toInteger($now)
WITH a
WHERE coalesce(a.version, '') = coalesce($previous, '')
MERGE (m:MatchModel {version: $version})
  ON CREATE SET m.checksum = $checksum, m.template = $template, m.createdAt = toInteger($now),
                m.file = $file, m.base = $base, m.termFrequencyTables = size($tables)
WITH a, m
WHERE m.checksum = $checksum AND m.file = $file
FOREACH (t IN $tables |
  MERGE (f:TermFrequencies {version: $version, attribute: t.attribute})
  SET f.hashes = [h IN t.hashes | toInteger(h)], f.shares = t.shares
)
SET a.version = $version, a.base = $base, a.graphRecords = toInteger($graphRecords),
    a.sampled = toInteger($sampled), a.pairs = toInteger($pairs),
    a.estimatedAt = toInteger($estimatedAt), a.activatedAt = toInteger($now)
WITH a
CALL (a) {
  MATCH (old:TermFrequencies)
  WHERE NOT old.version IN [a.version, coalesce($previous, '')]
  DELETE old
}
RETURN a.version AS version
