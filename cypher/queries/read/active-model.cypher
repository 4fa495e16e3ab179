// The model version the u refreshes made active ($name: the model they refresh), if any: what every
// process polls (one seek on a uniquely constrained property), and what a refresh decides on, with
// the graph's record count (from the count store, not a scan).
CALL () {
  MATCH (r:Record)
  RETURN count(r) AS records
}
OPTIONAL MATCH (a:ActiveModel {name: $name})
RETURN records, a.version AS version, a.base AS base, a.graphRecords AS graphRecords,
       a.sampled AS sampled, a.pairs AS pairs, a.estimatedAt AS estimatedAt
