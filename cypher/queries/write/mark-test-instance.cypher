// Marks a database as a disposable test instance (written by the test setup only).
MERGE (m:IdgraphTestInstance {id: 'test'})
  ON CREATE SET m.createdAt = datetime()
