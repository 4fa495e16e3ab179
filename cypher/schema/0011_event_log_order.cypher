// The event log in the order the graph received it: `idgraph replay` reads it by (receivedAt, key)
// in keyset pages, so each page is an index range, not a sort of the whole log.
// (Issue 24's replay part: numbered 0015 in the shared plan; renumbered to the next free number.)
// Append-only: never edit an applied migration, add 0012_... instead.
CREATE INDEX event_received_at IF NOT EXISTS FOR (e:Event) ON (e.receivedAt);
