// The active links at identifiers of refused probabilistic matches, read under their persons' locks
// (write/lock-persons took them) for the better-match rule (src/resolver/better-match.ts): per
// identifier [id, from key, to key, method, confidence] of each link. A less probable
// probabilistic link among them makes its person worth reading whole (read/person-link-graph);
// the most probable names the competing link of the refusal. Keys are personal data: the caller
// never logs them.
UNWIND $keys AS key
MATCH (i:Identifier {key: key})
RETURN key, [(i)-[l:LINKED]-(:Identifier) WHERE l.status = 'active' |
  [l.id, startNode(l).key, endNode(l).key, l.method, l.confidence]] AS links
