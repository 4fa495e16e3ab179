// Benchmark only (bench/privacy.ts): whether the change feed's relay has numbered every batch
// (none still :Unrelayed), and how many batches and entries the feed holds.
OPTIONAL MATCH (u:Unrelayed)
WITH count(u) AS unrelayed
OPTIONAL MATCH (b:ChangeBatch)
RETURN unrelayed, count(b) AS batches, coalesce(sum(b.count), 0) AS entries
