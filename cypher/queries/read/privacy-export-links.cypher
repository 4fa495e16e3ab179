// An access export's links: every link at an identifier of a page of the subject's keys, with its
// ends' keys (the caller keeps the links whose both ends are the subject's; a link seen from both
// ends comes twice). Keys are personal data and never logged.
UNWIND $keys AS key
MATCH (:Identifier {key: key})-[l:LINKED]-(:Identifier)
RETURN l {.*} AS link, startNode(l).key AS fromKey, endNode(l).key AS toKey
