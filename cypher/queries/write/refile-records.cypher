// Files records again under the current blocking rules, for `idgraph model rescore`: only records
// whose keys the current rules (or MATCH_KEY_SECRET) change. Run in a transaction of its own after
// write/lock-matching has taken the matching clock and logged the records' new keys, so that a
// batch that read the blocks before this commits finds them in the log (write/lock-matching
// describes the protocol); the rescore scores the records only once this has committed.
// $rows.records: [record id, keys by rule: one slot per rule, null where a rule gives none (null
// removes the record from that rule's blocks)].
// What is per rule is written once and repeated per rule slot by the loader
// (src/graph/cypher-template.ts; write/claim-records says why).
// $rows: lists in one map parameter (write/claim-batch says why).
CYPHER replan=skip
UNWIND $rows.records AS row
MATCH (r:Record {id: row[0]})
SET
  // {{#rules ,}}
  r.block{{k}} = toInteger(row[1][{{k}}])
  // {{/rules}}
RETURN count(r) AS refiled
