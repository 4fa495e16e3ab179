// Every identifier key with its person: the resolved partition (exports, accuracy checks).
MATCH (i:Identifier)-[:BELONGS_TO]->(p:Person)
RETURN i.key AS key, p.id AS personId
