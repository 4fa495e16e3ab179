// Tests clear the graph only when it carries the marker their own setup wrote, or holds no data
// (migration records and the lock buckets of migration 0004 are not data).
RETURN
  exists { MATCH (:IdgraphTestInstance) } AS marked,
  exists { MATCH (n) WHERE NOT n:IdgraphTestInstance AND NOT n:SchemaMigration AND NOT n:BlockLock } AS hasData
