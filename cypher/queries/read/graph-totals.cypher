// Sizes of the graph: used by tests and benchmarks to check that nothing was lost or applied twice.
CALL () { MATCH (e:Event) RETURN count(e) AS events }
CALL () { MATCH (i:Identifier) RETURN count(i) AS identifiers }
CALL () { MATCH (p:Person {status: 'active'}) RETURN count(p) AS activePersons }
CALL () { MATCH ()-[l:LINKED]->() RETURN count(l) AS links, coalesce(sum(l.evidenceCount), 0) AS evidence }
CALL () { MATCH ()-[m:MENTIONS]->() RETURN count(m) AS mentions }
CALL () { MATCH (r:Record) RETURN count(r) AS records }
CALL () { MATCH (v:Review) RETURN count(v) AS reviews }
CALL () { MATCH ()-[l:LINKED]->() WHERE l.method = 'probabilistic' RETURN count(l) AS probabilisticLinks }
RETURN events, identifiers, activePersons, links, evidence, mentions, records, reviews, probabilisticLinks
