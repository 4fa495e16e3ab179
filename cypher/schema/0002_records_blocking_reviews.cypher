// Probabilistic matching: source records, their hashed blocking keys, and the review queue.
// Append-only: never edit an applied migration, add 0003_... instead.

// One record per event that carried attributes; addressed by the event key (idempotency) and by id.
CREATE CONSTRAINT record_key IF NOT EXISTS FOR (r:Record) REQUIRE r.key IS UNIQUE;
CREATE CONSTRAINT record_id IF NOT EXISTS FOR (r:Record) REQUIRE r.id IS UNIQUE;

// A blocking key (an HMAC of e.g. surname code + birth year): candidate lookup is one seek per key,
// and the node is the lock concurrent batches meet on when their records could match.
CREATE CONSTRAINT block_key IF NOT EXISTS FOR (b:BlockKey) REQUIRE b.key IS UNIQUE;

// Review items: one per record pair (the key), listed by status, oldest first.
CREATE CONSTRAINT review_key IF NOT EXISTS FOR (r:Review) REQUIRE r.key IS UNIQUE;
CREATE CONSTRAINT review_id IF NOT EXISTS FOR (r:Review) REQUIRE r.id IS UNIQUE;
CREATE INDEX review_status_created IF NOT EXISTS FOR (r:Review) ON (r.status, r.createdAt);

// Probabilistic links are found by model version when a new model rescores them.
CREATE INDEX linked_method IF NOT EXISTS FOR ()-[l:LINKED]-() ON (l.method);
