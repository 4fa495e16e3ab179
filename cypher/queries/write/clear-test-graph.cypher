// Deletes all data but the migration records and the test marker, in batches.
MATCH (n)
WHERE NOT n:IdgraphTestInstance AND NOT n:SchemaMigration
CALL (n) {
  DETACH DELETE n
} IN TRANSACTIONS OF 5000 ROWS
