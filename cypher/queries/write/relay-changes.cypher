// The relay (src/changes/change-relay.ts): takes the feed clock's lock, then gives up to $limit
// committed, unrelayed batches consecutive seq values after the clock's, in (tick, id) order, and
// moves the clock on. Several relays may run at once: the second waits for the lock and then sees
// the first one's batches relayed, so seq values stay consecutive, each batch gets one, and a
// batch committed after another that it waited for gets the larger one. With $deliver (webhooks
// are configured) each relayed batch is labelled Undelivered until its deliveries are enqueued
// (write/changes-enqueued).
// Returns each relayed batch's id, seq and how long it waited for its seq (ms, server clock).
MATCH (clock:FeedClock {name: 'changes'})
// Writing $token (new per run) takes the clock's lock before its value is read.
SET clock.lockedBy = $token
WITH clock, clock.seq AS last
CALL () {
  MATCH (b:ChangeBatch:Unrelayed)
  WITH b
  ORDER BY b.tick, b.id
  LIMIT toInteger($limit)
  RETURN collect(b) AS batches
}
SET clock.seq = last + size(batches)
WITH last, batches, timestamp() AS now
UNWIND range(0, size(batches) - 1) AS i
WITH batches[i] AS b, last + 1 + i AS seq, now
SET b.seq = seq, b.relayedAt = now
REMOVE b:Unrelayed
FOREACH (_ IN CASE WHEN $deliver THEN [1] ELSE [] END | SET b:Undelivered)
RETURN b.id AS id, seq, now - b.at AS waitedMs, b.count AS count
