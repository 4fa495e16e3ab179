// Relayed batches whose webhook deliveries are not enqueued yet, oldest seq first: the batches the
// relay just numbered, and any a relay numbered before it stopped (its deliveries are enqueued
// again; the job ids make a repeat a no-op while the first job is still in Redis).
MATCH (b:ChangeBatch:Undelivered)
RETURN b.id AS id, b.seq AS seq, b.entries AS entries, b.requestId AS requestId
ORDER BY seq
LIMIT toInteger($limit)
