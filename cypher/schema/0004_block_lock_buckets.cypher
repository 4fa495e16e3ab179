// Every blocking-key lock bucket exists from the start (65,536 small nodes without personal data:
// src/matching/record-matcher.ts names the count). Resolver batches read the buckets' versions
// without a lock (write/claim-records), and Neo4j write-locks a unique-index entry that a read
// does not find, until the reading transaction ends: with buckets created on first use, batches
// reading a new bucket waited for each other from their candidate read to their commit. The
// resolver still MERGEs a bucket it locks, so a missing one is only slower, never unsafe.
// Append-only: never edit an applied migration, add 0005_... instead.
UNWIND range(0, 65535) AS bucket
MERGE (l:BlockLock {bucket: bucket})
  ON CREATE SET l.version = 0;
