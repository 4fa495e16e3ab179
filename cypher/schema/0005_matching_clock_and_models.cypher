// Concurrent matching transactions settle what they could not see of each other through one
// matching clock and a short log of the keys each committed batch filed (write/lock-matching),
// instead of 65,536 lock buckets: a 1000-record batch locked and wrote some 6,600 buckets, which
// cost more than a third of its graph time, and two batches practically always shared one anyway
// (docs/benchmarks.md). The clock is schema-like (no personal data); log entries are pruned by the
// transactions that write them.
// Matching models are recorded once per version (write/record-model): links and reviews refer to
// them from their explanations instead of carrying their parameters.
// Append-only: never edit an applied migration, add 0006_... instead.
CREATE CONSTRAINT match_clock IF NOT EXISTS FOR (c:MatchClock) REQUIRE c.name IS UNIQUE;
CREATE CONSTRAINT match_log_seq IF NOT EXISTS FOR (l:MatchLog) REQUIRE l.seq IS UNIQUE;
CREATE CONSTRAINT match_model_version IF NOT EXISTS FOR (m:MatchModel) REQUIRE m.version IS UNIQUE;
MERGE (c:MatchClock {name: 'records'})
  ON CREATE SET c.seq = 0;
MATCH (l:BlockLock) CALL (l) { DELETE l } IN TRANSACTIONS OF 10000 ROWS;
DROP CONSTRAINT block_lock IF EXISTS;
