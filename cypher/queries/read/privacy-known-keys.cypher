// How many of $keys idgraph holds as identifiers.
UNWIND $keys AS key
MATCH (i:Identifier {key: key})
RETURN count(i) AS known
