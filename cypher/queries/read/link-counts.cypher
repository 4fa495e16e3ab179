// Active links by method and rule, for `idgraph diff`'s per-rule comparison of two graphs.
MATCH ()-[l:LINKED]->()
WHERE l.status = 'active'
RETURN l.method AS method, l.rule AS rule, count(l) AS links
ORDER BY method, rule
