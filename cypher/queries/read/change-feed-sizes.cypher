// A page of the change feed, first step (src/changes/change-feed.ts): the feed clock (the last seq
// given) and the seq and entry count of up to $limit batches from seq $from on, in order. The
// reader then fetches the entries of the batches the page needs (read/change-feed-entries).
MATCH (clock:FeedClock {name: 'changes'})
CALL () {
  MATCH (b:ChangeBatch)
  WHERE b.seq >= $from
  WITH b
  ORDER BY b.seq
  LIMIT toInteger($limit)
  RETURN collect([b.seq, b.count]) AS batches
}
RETURN clock.seq AS lastSeq, batches
