// Benchmark only (bench/export.ts): persons $from .. $to - 1 built on the server, each with four
// identifiers (email, phone, cookie_id, user_id) and three active links between them in the shape
// the resolver writes (docs/architecture.md: BELONGS_TO, LINKED from the smaller key to the larger
// with provenance and consent purposes). Values are generated from the person's number, so nothing
// is shipped and a chunk of persons is one small round trip. The graph holds none of them yet: CREATE.
UNWIND range(toInteger($from), toInteger($to) - 1) AS n
WITH n, toInteger($at) + n AS at, toString(n) AS s
CREATE (p:Person {id: 'per_bench' + s, status: 'active', createdAt: at, updatedAt: at})
WITH n, at, s, p, right('0000000' + s, 7) AS digits
// [type, value, key]: '#' in a template stands for the person's number.
WITH n, at, s, p, [
  ['email', replace('user#@example.org', '#', s), replace('email:user#@example.org', '#', s)],
  ['phone', replace('+1415#', '#', digits), replace('phone:+1415#', '#', digits)],
  ['cookie_id', 'ck-' + s, 'cookie_id:ck-' + s],
  ['user_id', 'u-' + s, 'user_id:u-' + s]
] AS values
UNWIND values AS v
CREATE (i:Identifier {key: v[2], type: v[0], value: v[1], createdAt: at, lastSeen: at + 86400000})-[:BELONGS_TO]->(p)
WITH n, at, s, collect(i) AS ids
UNWIND [[0, 1], [0, 2], [2, 3]] AS pair
WITH n, at, s, pair,
     CASE WHEN ids[pair[0]].key < ids[pair[1]].key THEN [ids[pair[0]], ids[pair[1]]] ELSE [ids[pair[1]], ids[pair[0]]] END AS ends
WITH at, ends, replace(replace('lnk_bench#_@', '#', s), '@', toString(pair[1])) AS id
WITH at, ends[0] AS a, ends[1] AS b, id
CREATE (a)-[:LINKED {
  id: id,
  status: 'active',
  method: 'deterministic',
  rule: 'same_event',
  confidence: 1.0,
  createdAt: at,
  updatedAt: at,
  firstSeen: at,
  lastSeen: at + 86400000,
  sources: ['web', 'crm'],
  purposes: ['identity_linking', 'marketing'],
  events: ['web/e-' + id],
  evidenceCount: 1
}]->(b)
