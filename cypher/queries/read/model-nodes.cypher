// Every property of the nodes that describe matching models (MatchModel, TermFrequencies,
// ActiveModel), for an audit of what the graph keeps about models: names, numbers and keyed hashes,
// never an attribute value.
MATCH (n)
WHERE n:MatchModel OR n:TermFrequencies OR n:ActiveModel
RETURN labels(n) AS labels, properties(n) AS properties
