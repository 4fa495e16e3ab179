// Blocks a batch reads again under the matching clock (after write/lock-matching), where the
// matching log cannot settle them on its own: the log no longer holds every entry since the batch
// read the clock, or what it adds could take a block past $maxBlock. Per probe ($rows.probes rows
// [record position, rule k, key, source]) the records now filed under rule k's key, as record ids
// (the worker drops those it has scored), a block of more than $maxBlock records skipped and, with
// $linkOnly, records of the same source left out, as write/claim-records does.
// Runs in the batch's write transaction, under the clock's lock (it takes none itself): what it
// reads stays as read until the batch commits.
// One UNION branch per rule (written once, repeated per rule slot by the loader:
// src/graph/cypher-template.ts), each seeking its rule's key only: the planner places the
// `probe[1] = k` filter after the seek, so with the key alone every probe would be sought in every
// rule's index. For the other rules' probes the CASE gives null, which matches nothing; it stays
// inside toInteger() because a bare CASE has no known type, and the planner then scans the index
// instead of seeking it.
CYPHER replan=skip
UNWIND $rows.probes AS probe
CALL (probe) {
  // {{#rules UNION ALL}}
  WITH probe WHERE probe[1] = {{k}}
  MATCH (c:Record) WHERE c.block{{k}} = toInteger(CASE WHEN probe[1] = {{k}} THEN probe[2] END) AND c.id IS NOT NULL
  WITH c, c.id AS id LIMIT toInteger($scanLimit)
  RETURN collect(CASE WHEN NOT $linkOnly OR c.source <> probe[3] THEN id END) AS members, count(*) AS size
  // {{/rules}}
}
WITH probe, members, size
WHERE size <= $maxBlock
RETURN collect([probe[0], probe[1], members]) AS found
