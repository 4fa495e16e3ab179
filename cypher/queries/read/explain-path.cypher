// Why two identifiers are one person: the path of active links between them with the fewest links
// and, among paths that short, the most confident one (the largest sum of log(confidence), i.e. the
// largest product of confidences; ties by the links' ids, so the answer is stable). Active links
// only join identifiers of one person, so the search never leaves it. The breadth-first search
// checks the status predicate as it expands (it is on every relationship of the path), and stops at
// 64 links; at most $maxPaths shortest paths are weighed. No row when the two are not joined within
// that many links. Values are personal data: the caller never logs them.
MATCH (a:Identifier {key: $fromKey})
MATCH (b:Identifier {key: $toKey})
MATCH p = allShortestPaths((a)-[:LINKED*..64]-(b))
WHERE all(l IN relationships(p) WHERE l.status = 'active')
WITH p
LIMIT toInteger($maxPaths)
WITH p, reduce(s = 0.0, l IN relationships(p) | s + log(l.confidence)) AS score
ORDER BY score DESC, [l IN relationships(p) | l.id]
LIMIT 1
RETURN
  [i IN nodes(p) | [i.key, i.type, i.value]] AS identifiers,
  [l IN relationships(p) | l {
    .id, .method, .rule, .confidence, .modelVersion, .events, .evidenceCount, .sources, .purposes
  }] AS links
