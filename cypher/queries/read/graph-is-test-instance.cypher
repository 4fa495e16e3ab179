// Tests clear the graph only when it carries the marker their own setup wrote, or holds no data
// (migration records, the matching clock of migration 0005 and the feed clock of migration 0008
// are not data).
RETURN
  exists { MATCH (:IdgraphTestInstance) } AS marked,
  exists {
    MATCH (n)
    WHERE NOT n:IdgraphTestInstance AND NOT n:SchemaMigration AND NOT n:MatchClock AND NOT n:FeedClock
  } AS hasData
