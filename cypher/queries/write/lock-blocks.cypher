// Locks a batch's blocking-key buckets and says which of them another transaction wrote to since
// the batch read their versions (write/claim-records): the batch must look again at those blocks
// (write/recheck-blocks) before it commits.
//
// Why this is enough for every pair of records to be scored exactly once, however many workers run:
// a transaction that files records under a key holds the key's bucket lock from here until it
// commits, and moves the bucket's version on. Of two batches whose records share a key, the one
// that commits second takes the lock after the first has committed, so it either saw the first
// one's records in its candidate read, or finds the version moved and reads them now; the one that
// commits first cannot have seen records the other had not committed yet. The expensive part
// (reading and scoring candidates) runs unlocked and in parallel; only this check, the few rechecks
// and the writes wait for each other.
//
// $rows.buckets: sorted, distinct (so two batches wait instead of deadlocking); $rows.marks: per
// bucket, the marks of the batch's keys in it (8 bits of a key above its bucket's: a bucket never
// holds a key, src/matching/record-matcher.ts); $rows.versions: the versions claim-records read, in the same
// order (none for `idgraph model rescore`, which locks before it reads). Writing $token (new per
// transaction) takes each node's lock before its version is read: a version read before the lock
// could be one another batch is about to replace.
//
// Returns the moved buckets as [bucket, marks]: a bucket moved by exactly one transaction keeps that
// transaction's marks, so only the blocks whose keys' marks both batches wrote are read again
// (`marks`, possibly none of this batch's: keys of different blocks share buckets); moved by more,
// `marks` is null and all the batch's blocks in the bucket are read again.
CYPHER replan=skip
UNWIND range(0, size($rows.buckets) - 1) AS n
MERGE (l:BlockLock {bucket: toInteger($rows.buckets[n])})
  ON CREATE SET l.createdAt = toInteger($now)
SET l.lockedBy = $token
WITH n, l, coalesce(l.version, 0) AS current, coalesce(l.marks, []) AS written
SET l.version = current + 1, l.marks = [mark IN $rows.marks[n] | toInteger(mark)]
WITH n, current, written
WHERE current <> $rows.versions[n]
RETURN collect([
  toInteger($rows.buckets[n]),
  CASE WHEN current = $rows.versions[n] + 1 THEN written ELSE null END
]) AS changed
