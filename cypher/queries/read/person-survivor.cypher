// The id a person id answers for: its own, or its survivor's when merged (one MERGED_INTO hop:
// merges keep chains flat). For routes that need the person's id and not its identifiers.
MATCH (asked:Person {id: $id})
OPTIONAL MATCH (asked)-[:MERGED_INTO]->(survivor:Person)
RETURN coalesce(survivor, asked).id AS id
