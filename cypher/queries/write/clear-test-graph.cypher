// Deletes all data but the migration records, the matching clock (schema-like, no personal data:
// migration 0005), the feed clock (0008) and the test marker, in batches, and sets the clocks back
// to 0, as a new database has them. The matching log goes with the data; a clock still counting
// from before would name log entries that are gone, and the first batches after the clear would
// take the log for pruned and read all their blocks a second time (write/lock-matching), as a
// running service does only when more than the kept number of batches commit while one reads.
MATCH (n)
WHERE NOT n:IdgraphTestInstance AND NOT n:SchemaMigration AND NOT n:MatchClock AND NOT n:FeedClock
CALL (n) {
  DETACH DELETE n
} IN TRANSACTIONS OF 5000 ROWS
WITH count(*) AS deleted
MATCH (clock:MatchClock {name: 'records'})
SET clock.seq = 0
WITH count(*) AS reset
MATCH (feed:FeedClock {name: 'changes'})
SET feed.seq = 0
