// The change feed's outbox write (src/changes/change-outbox.ts): one ChangeBatch per transaction
// that changed persons, holding its entries ($entries, JSON: ids and counts, never a value) and
// their number. No seq yet: the relay (write/relay-changes) gives one after the commit, in the
// order of `tick`, the server's realtime clock in microseconds at this statement. Callers run it
// after their last lock, so a transaction that waited for another's lock has the later tick.
// `at` is the same instant in milliseconds. $requestId: the privacy request that made the changes,
// or null (not stored).
WITH datetime.realtime() AS now
CREATE (:ChangeBatch:Unrelayed {
  id: $id,
  at: now.epochMillis,
  tick: now.epochSeconds * 1000000 + now.microsecond,
  count: $count,
  entries: $entries,
  requestId: $requestId
})
