// Benchmark only (bench/privacy.ts): the plain read the change feed is compared with: the entries
// (JSON) of the batches with seq in [$from, $to), by the unique seq index, in seq order.
MATCH (b:ChangeBatch)
WHERE b.seq >= $from AND b.seq < $to
RETURN b.seq AS seq, b.entries AS entries
ORDER BY seq
