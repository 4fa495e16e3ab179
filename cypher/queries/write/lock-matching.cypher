// Takes the matching clock and writes the batch's entry in the matching log; returns the entries
// other transactions committed since the batch read the clock (write/claim-records), so that the
// batch scores the records they filed under its keys before it commits.
//
// Why this is enough for every pair of records to be scored exactly once, however many workers run:
// every transaction that files records under blocking keys (a batch, a rescore refile) holds the
// clock's lock from here until it commits, moves the clock on by one and logs its records' keys
// under the new value. Of two batches whose records share a key, the one that commits second takes
// the clock after the first has committed, so it either saw the first one's records in its
// candidate read or finds them in the log now; the one that commits first cannot have seen records
// the other had not committed yet. The expensive part (reading and scoring candidates) runs without
// a lock and in parallel; only this statement, the few candidates it adds and the writes wait for
// each other. One clock instead of a lock per key: a batch files thousands of keys, and two large
// batches practically always share one, so per-key locks would serialise the same section at the
// cost of thousands of locked, written nodes per batch.
//
// $seen: the clock as claim-records read it, without a lock (null for a rescore refile, which reads
// no block). The entry $seen itself is returned too: a reader can see a committing
// transaction's clock before its records' index entries (reads take no locks), and only the newest
// committed transaction can be in that state, as each holds the clock until its commit is applied.
// The caller compares the entries it gets with the clock: entries pruned since (the log keeps the
// last $kept) make it read its blocks again instead.
// $rows: {records: [id], sources: [source], keys: [one slot per rule per record, -1 for none]}.
// Keys are keyed hashes, as the records carry them; no value of a record is logged.
CYPHER replan=skip
MATCH (clock:MatchClock {name: 'records'})
// Writing $token (new per transaction) takes the clock's lock before its value is read: a value
// read before the lock could be one another batch is about to replace.
SET clock.lockedBy = $token
WITH clock, clock.seq AS current
SET clock.seq = current + 1
CREATE (:MatchLog {
  seq: current + 1,
  at: toInteger($now),
  records: $rows.records,
  sources: $rows.sources,
  keys: [key IN $rows.keys | toInteger(key)]
})
WITH current
CALL (current) {
  MATCH (old:MatchLog)
  WHERE old.seq <= current + 1 - $kept
  DELETE old
}
CALL (current) {
  MATCH (log:MatchLog)
  WHERE $seen IS NOT NULL AND log.seq >= $seen AND log.seq <= current
  WITH log
  ORDER BY log.seq
  RETURN collect([log.seq, log.records, log.sources, log.keys]) AS logs
}
RETURN current, logs
