// Core identity model: identifiers, persons, the event log and the audit trail.
// Append-only: never edit an applied migration, add 0002_... instead.

CREATE CONSTRAINT identifier_key IF NOT EXISTS FOR (i:Identifier) REQUIRE i.key IS UNIQUE;
CREATE CONSTRAINT person_id IF NOT EXISTS FOR (p:Person) REQUIRE p.id IS UNIQUE;
CREATE CONSTRAINT event_key IF NOT EXISTS FOR (e:Event) REQUIRE e.key IS UNIQUE;
CREATE CONSTRAINT audit_record_id IF NOT EXISTS FOR (a:AuditRecord) REQUIRE a.id IS UNIQUE;

// Lookups by type (listing, per-type limits) and by person status (merged-id resolution).
CREATE INDEX identifier_type IF NOT EXISTS FOR (i:Identifier) ON (i.type);
CREATE INDEX person_status IF NOT EXISTS FOR (p:Person) ON (p.status);

// Audit queries: newest first, by kind.
CREATE INDEX audit_record_at IF NOT EXISTS FOR (a:AuditRecord) ON (a.at);
CREATE INDEX audit_record_kind IF NOT EXISTS FOR (a:AuditRecord) ON (a.kind);

// Links are addressed by their opaque id (explain, audit, undo) and filtered by status.
CREATE INDEX linked_id IF NOT EXISTS FOR ()-[l:LINKED]-() ON (l.id);
CREATE INDEX linked_status IF NOT EXISTS FOR ()-[l:LINKED]-() ON (l.status);
