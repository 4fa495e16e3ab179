// Tests clear the graph only when it carries the marker their own setup wrote, or holds no data.
RETURN
  exists { MATCH (:IdgraphTestInstance) } AS marked,
  exists { MATCH (n) WHERE NOT n:IdgraphTestInstance AND NOT n:SchemaMigration } AS hasData
