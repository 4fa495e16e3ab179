// The change feed (src/changes/): every transaction that changes persons writes one ChangeBatch
// (write/append-changes) labelled Unrelayed; the relay (write/relay-changes) takes the FeedClock's
// lock, gives the committed batches consecutive seq values from it and removes the label. Reads
// page by seq (the uniqueness constraint's index; it also makes a duplicate seq impossible), the
// relay finds unrelayed batches through the label, and webhook deliveries not yet enqueued through
// the Undelivered label. The clock is schema-like: ids and counters only, no personal data.
// Append-only: never edit an applied migration, add 0009_... instead.
CREATE CONSTRAINT change_batch_id IF NOT EXISTS FOR (b:ChangeBatch) REQUIRE b.id IS UNIQUE;
CREATE CONSTRAINT change_batch_seq IF NOT EXISTS FOR (b:ChangeBatch) REQUIRE b.seq IS UNIQUE;
CREATE CONSTRAINT feed_clock IF NOT EXISTS FOR (c:FeedClock) REQUIRE c.name IS UNIQUE;
MERGE (c:FeedClock {name: 'changes'})
  ON CREATE SET c.seq = 0;
