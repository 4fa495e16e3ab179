// Blocking keys move from BlockKey nodes (one per key, an IN_BLOCK relationship per record) to
// indexed integer properties of the records: rule k's key (48 bits of the keyed HMAC) in block<k>.
// One index entry per key costs a fraction of a node, a unique-index entry and a relationship, and
// every batch transaction files thousands of keys (docs/benchmarks.md). Concurrent batches now lock
// BlockLock buckets (a key's low 16 bits) instead of the key nodes.
// Append-only: never edit an applied migration, add 0004_... instead.
CREATE INDEX record_block0 IF NOT EXISTS FOR (r:Record) ON (r.block0);
CREATE INDEX record_block1 IF NOT EXISTS FOR (r:Record) ON (r.block1);
CREATE INDEX record_block2 IF NOT EXISTS FOR (r:Record) ON (r.block2);
CREATE INDEX record_block3 IF NOT EXISTS FOR (r:Record) ON (r.block3);
CREATE INDEX record_block4 IF NOT EXISTS FOR (r:Record) ON (r.block4);
CREATE INDEX record_block5 IF NOT EXISTS FOR (r:Record) ON (r.block5);
CREATE INDEX record_block6 IF NOT EXISTS FOR (r:Record) ON (r.block6);
CREATE INDEX record_block7 IF NOT EXISTS FOR (r:Record) ON (r.block7);
CREATE CONSTRAINT block_lock IF NOT EXISTS FOR (l:BlockLock) REQUIRE l.bucket IS UNIQUE;

// Records of earlier versions have no block<k> yet: `idgraph model rescore` files them under the
// current rules (docs/operations.md). Their old key nodes go.
MATCH (b:BlockKey) CALL (b) { DETACH DELETE b } IN TRANSACTIONS OF 1000 ROWS;
DROP CONSTRAINT block_key IF EXISTS;
