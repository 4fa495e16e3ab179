// Retention (src/changes/change-relay.ts): deletes the oldest relayed batches, in seq order, up to
// the first one relayed at or after $cutoff (epoch ms) or still waiting for its webhook deliveries
// to be enqueued, at most $limit per run. Only a prefix of the sequence goes, so a reader whose
// cursor points before the oldest batch left knows entries are gone (410 cursor_expired). Takes
// the feed clock's lock first: sweeps and relays run one at a time.
MATCH (clock:FeedClock {name: 'changes'})
SET clock.sweptBy = $token
WITH clock
CALL () {
  MATCH (b:ChangeBatch)
  WHERE b.seq IS NOT NULL
  WITH b
  ORDER BY b.seq
  LIMIT toInteger($limit)
  RETURN collect(b) AS batches
}
WITH batches, [b IN batches | b.relayedAt >= $cutoff OR b:Undelivered] AS keep
WITH batches, [i IN range(0, size(keep) - 1) WHERE keep[i]] AS kept
UNWIND batches[..coalesce(kept[0], size(batches))] AS old
DELETE old
RETURN count(*) AS deleted
