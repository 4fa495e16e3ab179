// The blocks of a rescore page's records, for `idgraph model rescore`: per rule k, for each distinct
// key of the page under rule k ($rows.keys, rule k's list at k; in link mode with the reading
// record's source in $rows.sources at the same place), the ids of the records filed under it, as
// one string (each id after $separator: the rescore splits it faster than the driver decodes a
// list of strings); an empty string for a block of more than $maxBlock records (too common: it
// says nothing). The answer holds one list per rule, aligned with that rule's keys. At most
// $scanLimit = $maxBlock + 1 records are read per block to tell; with $linkOnly, records of the
// reading source count towards the size but are not named, and only then is a record's source
// read. The ids come from the (block<k>, id) indexes (migration 0006): `c.id IS NOT NULL` lets the
// planner seek that index. Every record is committed and filed already (the rescore files a page
// before it scores it): no lock is needed, a record filed later is scored by whoever files it.
// What is per rule is written once and repeated per rule slot by the loader
// (src/graph/cypher-template.ts).
CYPHER replan=skip
// {{#rules}}
CALL () {
  UNWIND range(0, size($rows.keys[{{k}}]) - 1) AS at
  CALL (at) {
    MATCH (c:Record) WHERE c.block{{k}} = toInteger($rows.keys[{{k}}][at]) AND c.id IS NOT NULL
    WITH c, c.id AS id LIMIT toInteger($scanLimit)
    WITH count(*) AS size, collect(CASE
      WHEN NOT $linkOnly THEN id
      WHEN c.source <> $rows.sources[{{k}}][at] THEN id
    END) AS named
    RETURN CASE WHEN size <= $maxBlock THEN reduce(ids = '', id IN named | ids + $separator + id) ELSE '' END AS ids
  }
  WITH at, ids
  ORDER BY at
  RETURN collect(ids) AS blocks{{k}}
}
// {{/rules}}
RETURN [
  // {{#rules ,}}
  blocks{{k}}
  // {{/rules}}
] AS blocks
