// The entries (JSON) of the batches with these seq values ($seqs), in seq order.
UNWIND $seqs AS seq
MATCH (b:ChangeBatch {seq: seq})
RETURN b.seq AS seq, b.entries AS entries
ORDER BY seq
