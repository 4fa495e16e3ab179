// Deletes all data but the migration records, the matching clock (schema-like, no personal data:
// migration 0005) and the test marker, in batches.
MATCH (n)
WHERE NOT n:IdgraphTestInstance AND NOT n:SchemaMigration AND NOT n:MatchClock
CALL (n) {
  DETACH DELETE n
} IN TRANSACTIONS OF 5000 ROWS
